/**
 * A tiny router on `location.pathname`: the console lives under /agent, and the server answers
 * every /agent/* path with index.html, so any console address can be reloaded or shared.
 */
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

export const BASE_PATH = '/agent';

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

/** `/agent/inbox/42/` → `/inbox/42`; `/agent` → `/`. */
export function toConsolePath(pathname: string): string {
  if (pathname !== BASE_PATH && !pathname.startsWith(`${BASE_PATH}/`)) return '/';
  const rest = pathname.slice(BASE_PATH.length).replace(/\/+$/, '');
  return rest === '' ? '/' : rest;
}

/** `/inbox` → `/agent/inbox`; `/` → `/agent`. */
export function toHref(path: string): string {
  return path === '/' ? BASE_PATH : `${BASE_PATH}${path}`;
}

/** True when `path` is `prefix` or below it (`/inbox/42` is within `/inbox`). */
export function isWithin(path: string, prefix: string): boolean {
  if (prefix === '/') return path === '/';
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** The current console path (without /agent), re-rendering on navigation. */
export function usePath(): string {
  return useSyncExternalStore(subscribe, () => toConsolePath(window.location.pathname));
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const href = toHref(path);
  if (options.replace) window.history.replaceState(null, '', href);
  else if (href !== window.location.pathname) window.history.pushState(null, '', href);
  for (const listener of listeners) listener();
}

export interface LinkProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> {
  to: string;
}

/** An ordinary link (middle-click and "open in new tab" keep working) that navigates in place. */
export function Link({ to, onClick, ...rest }: LinkProps) {
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey ||
      (rest.target && rest.target !== '_self')
    ) {
      return;
    }
    event.preventDefault();
    navigate(to);
  };
  return <a href={toHref(to)} onClick={handleClick} {...rest} />;
}
