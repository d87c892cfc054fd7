/**
 * Readable in sunlight: every text colour of the board's palette (web/src/app.css) against the
 * backgrounds it is drawn on meets WCAG 2.x AA (4.5:1 for text, 3:1 for the focus ring, a
 * non-text indicator), in the dark, the light and the Sunlight theme. The Sunlight theme meets AAA
 * (7:1) for body text and the muted text.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const css = readFileSync(path.resolve(import.meta.dirname, '..', '..', 'web', 'src', 'app.css'), 'utf8');

/** The custom properties of the first block that starts with `selector`. */
function palette(selector: string): Record<string, string> {
  const start = css.indexOf(selector);
  if (start < 0) throw new Error(`no ${selector} in app.css`);
  const open = css.indexOf('{', start);
  // Up to the first closing brace: for the @media block that is the end of its :root rule.
  const body = css.slice(open + 1, css.indexOf('}', open));
  return Object.fromEntries([...body.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6}|rgba\([^)]+\))\s*;/gi)].map((m) => [m[1]!, m[2]!]));
}

/** `rgba(r, g, b, a)` laid over an opaque `#rrggbb`: the opaque colour seen. */
function over(rgba: string, hex: string): string {
  const [r, g, b, a] = /rgba\(([^)]+)\)/.exec(rgba)![1]!.split(',').map(Number);
  const base = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `#${[r!, g!, b!].map((c, i) => Math.round(a! * c + (1 - a!) * base[i]!).toString(16).padStart(2, '0')).join('')}`;
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

const dark = palette(':root {');
const light = { ...dark, ...palette('@media (prefers-color-scheme: light)') };
const sunlight = { ...dark, ...palette(":root[data-theme='sunlight']") };

/** [foreground, background] pairs the board draws text with. */
const TEXT_PAIRS = [
  ['text', 'bg'], ['text', 'surface'], ['text', 'surface-2'],
  ['muted', 'bg'], ['muted', 'surface'], ['muted', 'surface-2'],
  ['live', 'surface'], ['live', 'surface-2'], ['warn', 'surface'], ['off', 'surface'],
  ['link', 'bg'], ['link', 'surface'], ['link', 'surface-2'],
  ['on-accent', 'live'],
] as const;

describe('palette contrast (WCAG AA)', () => {
  it('reads the three themes from app.css', () => {
    for (const theme of [dark, light, sunlight]) expect(Object.keys(theme)).toEqual(expect.arrayContaining(['bg', 'surface', 'text', 'muted', 'live', 'focus']));
    expect(sunlight.text).toBe('#000000');
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });

  for (const [name, theme] of [['dark', dark], ['light', light], ['sunlight', sunlight]] as const) {
    it(`${name}: text at least 4.5:1, the focus ring at least 3:1`, () => {
      const failing = TEXT_PAIRS.map(([fg, bg]) => ({ pair: `${fg} on ${bg}`, ratio: contrast(theme[fg]!, theme[bg]!) })).filter((p) => p.ratio < 4.5);
      expect(failing).toEqual([]);
      for (const bg of ['bg', 'surface', 'surface-2']) expect(contrast(theme.focus!, theme[bg]!), `focus on ${bg}`).toBeGreaterThanOrEqual(3);
    });

    it(`${name}: a count that just changed stays readable on its flash`, () => {
      for (const bg of ['surface', 'surface-2']) {
        const flashed = over(theme.flash!, theme[bg]!);
        expect(contrast(theme.text!, flashed), `text on the flash over ${bg}`).toBeGreaterThanOrEqual(4.5);
        // Messages per minute is large bold text (24 px, weight 650) in the live colour: 3:1 (WCAG large text).
        expect(contrast(theme.live!, flashed), `live on the flash over ${bg}`).toBeGreaterThanOrEqual(3);
      }
    });
  }

  it('sunlight: body and muted text at least 7:1 (AAA)', () => {
    for (const fg of ['text', 'muted']) for (const bg of ['bg', 'surface', 'surface-2']) expect(contrast(sunlight[fg]!, sunlight[bg]!), `${fg} on ${bg}`).toBeGreaterThanOrEqual(7);
  });
});
