/** The viewer's preferences, shared with every component through Svelte context (set once in App). */
import { getContext, setContext } from 'svelte';
import type { Preferences } from './state/preferences.svelte.ts';

const KEY = Symbol('preferences');

export function providePreferences(prefs: Preferences): void {
  setContext(KEY, prefs);
}

export function usePreferences(): Preferences {
  const prefs = getContext<Preferences | undefined>(KEY);
  if (!prefs) throw new Error('usePreferences() outside App: providePreferences() was not called');
  return prefs;
}
