/** English's indefinite article for the words we put into messages (profiles and key types). */

/** "an otter", "an other", "a proget", "a system": by the first letter, which is enough for our words. */
export function withArticle(word: string): string {
	return `${/^[aeiou]/i.test(word) ? "an" : "a"} ${word}`;
}
