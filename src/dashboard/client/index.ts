// What the browser gets besides uPlot: the one script (island.ts) and the one style sheet (styles.ts).
