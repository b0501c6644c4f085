// Placeholder entry: the page script is written next (issue 4 browser pages).
export {};
