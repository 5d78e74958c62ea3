/** The console's root: reads the model, lays out header, screen and footer to the terminal's size. */
import { Box, useInput, useStdin } from "ink";
import { useEffect, useRef, useSyncExternalStore } from "react";
import type { ConsoleModel } from "./console-model.js";
import { Footer, footerHints, messageLines } from "./components/footer.js";
import { Header } from "./components/header.js";
import { keyNames } from "./keys/key-names.js";
import { bodyHeight, frameHeight, listHeight, messageRoom } from "./layout.js";
import { minimumSize, TooSmall } from "./screens/overlays.js";
import { screenViews } from "./screens/views.js";
import { useTerminalSize } from "./terminal/use-terminal-size.js";
import type { Theme } from "./theme/theme.js";

export function App({ model, theme }: { model: ConsoleModel; theme: Theme }) {
	useSyncExternalStore(model.subscribe, model.snapshot);
	const { columns, rows } = useTerminalSize();
	const interactive = useStdin().isRawModeSupported === true;
	const tooSmall = columns < minimumSize.columns || rows < minimumSize.rows;
	const height = frameHeight(rows);
	const width = columns;
	const message = messageLines(model.message, width, messageRoom(rows));
	// A screen with no keys for the footer (the wizard, which says its own) gives that row to the body.
	const hints = footerHints(model, model.keyScreen(), width);
	const body = bodyHeight(rows, message.length) + (hints === "" ? 1 : 0);

	// Each event's bytes, heard before Ink's useInput below hears the same event (listeners run in the
	// order added, and this one is added first and never again): only they tell Delete from Backspace.
	const { internal_eventEmitter: inputEvents } = useStdin();
	const lastRead = useRef("");
	useEffect(() => {
		const hear = (data: string) => {
			lastRead.current = data;
		};
		inputEvents.on("input", hear);
		return () => {
			inputEvents.off("input", hear);
		};
	}, [inputEvents]);
	useInput(
		(input, key) => {
			for (const name of keyNames(input, key, lastRead.current)) {
				if (tooSmall && name !== "q" && name !== "ctrl+c") continue;
				model.press(name);
			}
		},
		{ isActive: interactive },
	);
	useEffect(() => model.setListHeight(listHeight(rows, message.length)), [model, rows, message.length]);

	if (tooSmall) return <TooSmall columns={columns} rows={rows} />;
	const View = screenViews[model.screen];
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Header model={model} theme={theme} width={width} />
			{View ? <View model={model} theme={theme} width={width} height={body} /> : null}
			<Footer model={model} theme={theme} width={width} message={message} hints={hints} />
		</Box>
	);
}
