/**
 * Whether an element is on screen, told to a callback as it changes (an attachment:
 * `<div {@attach onScreen((visible) => …)}>`). One IntersectionObserver serves every element: one per
 * element would cost the browser an intersection check each. Without IntersectionObserver nothing is
 * told, so callers start from "on screen".
 */
import type { Attachment } from 'svelte/attachments';

const callbacks = new Map<Element, (visible: boolean) => void>();
let observer: IntersectionObserver | null = null;

export function onScreen(callback: (visible: boolean) => void): Attachment<Element> {
  return (element) => {
    if (typeof IntersectionObserver === 'undefined') return;
    observer ??= new IntersectionObserver((entries) => {
      for (const entry of entries) callbacks.get(entry.target)?.(entry.isIntersecting);
    });
    callbacks.set(element, callback);
    observer.observe(element);
    return () => {
      callbacks.delete(element);
      observer?.unobserve(element);
    };
  };
}
