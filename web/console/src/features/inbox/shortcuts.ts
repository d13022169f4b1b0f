import { useEffect, useRef } from 'react';

/** The inbox's single-key shortcuts; `?` lists them. */
export const SHORTCUTS = ['j', 'k', 'Enter', 'x', 'r', 'n', 's', 'a', '/', 'u', '?'] as const;
export type Shortcut = (typeof SHORTCUTS)[number];

const NOT_TYPING_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image']);

interface TargetLike {
  tagName?: string;
  type?: string;
  isContentEditable?: boolean;
}

/** Where a key press is text: text fields, text areas, select boxes, editable content. */
export function isTypingTarget(target: TargetLike | null | undefined): boolean {
  if (!target || !target.tagName) return false;
  const tag = target.tagName.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return !NOT_TYPING_INPUTS.has((target.type ?? 'text').toLowerCase());
  return target.isContentEditable === true;
}

interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  isComposing?: boolean;
  defaultPrevented?: boolean;
  target: unknown;
}

/** The shortcut a key press means, or null: never while typing, composing (IME), or with Ctrl/⌘/Alt. */
export function shortcutOf(event: KeyLike): Shortcut | null {
  if (event.defaultPrevented || event.isComposing || event.ctrlKey || event.metaKey || event.altKey) return null;
  if (isTypingTarget(event.target as TargetLike | null)) return null;
  // Enter on a link or button already does what it says; only bare Enter on the list opens.
  if (event.key === 'Enter') {
    const tag = (event.target as TargetLike | null)?.tagName?.toUpperCase();
    if (tag === 'A' || tag === 'BUTTON' || tag === 'INPUT') return null;
  }
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  if (event.key === '?') return '?';
  return (SHORTCUTS as readonly string[]).includes(key) ? (key as Shortcut) : null;
}

/**
 * Listens for shortcuts on the document while mounted. Handlers come from the latest render, so
 * callers don't need to memoise them. An open modal dialog (the help overlay) takes the keys.
 */
export function useShortcuts(handlers: Partial<Record<Shortcut, () => void>>, enabled = true): void {
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  useEffect(() => {
    if (!enabled) return;
    const onKey = (event: KeyboardEvent) => {
      if (document.querySelector('dialog[open]')) return;
      const shortcut = shortcutOf(event);
      const handler = shortcut ? latest.current[shortcut] : undefined;
      if (!handler) return;
      event.preventDefault();
      handler();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [enabled]);
}
