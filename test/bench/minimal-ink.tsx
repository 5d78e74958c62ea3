/** The floor for the console figures: an Ink app that renders one line and counts `j` presses. */
import { render, Text, useApp, useInput } from "ink";
import { useState } from "react";
import { renderFps } from "../../source/ui/terminal/frame-rate.js";

function Minimal() {
	const [count, setCount] = useState(0);
	const { exit } = useApp();
	useInput((input) => {
		for (const char of input) {
			if (char === "j") setCount((c) => c + 1);
			if (char === "q") exit();
		}
	});
	return (
		<Text>
			ready
			{count}
			{" "}
			of many
		</Text>
	);
}

// The same frame rate as the console, so the floor differs only in what is drawn.
render(<Minimal />, { maxFps: renderFps });
