/**
 * How big the reliability suite runs: `npm run test:reliability` runs the CI size (bounded to stay
 * well under 10 minutes on 2 cores); `npm run test:reliability:full` (RELIABILITY_SIZE=full) runs
 * the sizes docs/RELIABILITY.md's figures come from.
 */
export const fullSize = process.env.RELIABILITY_SIZE === "full";

/** `full` when running at full size, otherwise `ci`. */
export function sized(full: number, ci: number): number {
	return fullSize ? full : ci;
}
