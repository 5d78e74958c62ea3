/**
 * Stands in for react-devtools-core in the bundle: Ink imports it only when DEV=true, and esbuild
 * would otherwise turn that optional import into a required one.
 */
export default {
	initialize(): void {},
	connectToDevTools(): void {},
};
