/** A spinner for work that takes a moment (a remote call); it animates only while something runs. */
import { Text } from "ink";
import { useEffect, useState } from "react";

const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export function Spinner({ color }: { color: string | undefined }) {
	const [frame, setFrame] = useState(0);
	useEffect(() => {
		const timer = setInterval(() => setFrame((f) => (f + 1) % frames.length), 100);
		return () => clearInterval(timer);
	}, []);
	return (
		<Text color={color}>
			{frames[frame]}
			{" "}
			working…
			{" "}
		</Text>
	);
}
