/**
 * The brief highlight of numbers that just changed, drawn with the CSS Custom Highlight API
 * (`::highlight(grouppulse-changed)` in app.css): the browser paints it over the text's own box, so
 * marking a number changes nothing in the DOM (no class or attribute flips), restyles nothing and lays
 * out nothing. The numbers changed by one screen update are marked together and stay marked until the
 * next update marks others (or for FLASH_MS when none comes), so the highlight never costs a frame of its own.
 */
const NAME = 'grouppulse-changed';
const FLASH_MS = 1200;

/** Absent where the API is missing (the numbers still change, without the highlight). */
const highlight: Highlight | null = typeof Highlight === 'function' && typeof CSS !== 'undefined' && 'highlights' in CSS ? new Highlight() : null;
if (highlight) CSS.highlights.set(NAME, highlight);

/** Elements marked since the last screen update was drawn; put on screen together in one microtask. */
let marked: Element[] = [];
let clearTimer: ReturnType<typeof setTimeout> | undefined;

function show(): void {
  if (!highlight) return;
  highlight.clear();
  for (const element of marked) {
    if (!element.isConnected) continue;
    const range = new Range();
    range.selectNodeContents(element);
    highlight.add(range);
  }
  marked = [];
  clearTimeout(clearTimer);
  clearTimer = setTimeout(() => highlight.clear(), FLASH_MS);
}

/** Highlight `element`'s text as just changed (with every other number marked in the same update). */
export function markChanged(element: Element): void {
  if (!highlight) return;
  if (marked.length === 0) queueMicrotask(show);
  marked.push(element);
}
