/**
 * Entry of widget.js: `<script src="https://HOST/widget.js" data-workspace="slug" async></script>`.
 * Finds its own tag, renders into a shadow root (the page's CSS can't break it) and talks to the
 * server the script came from.
 */
import { ChatConnection } from './chat-connection.js';
import { pickLocale, translator } from './i18n.js';
import { WidgetUi } from './widget-ui.js';

const HOST_ID = 'kefu-chat-widget';

function ownScript(): HTMLScriptElement | null {
  // `currentScript` is set while a classic script (async included) runs; the query covers odd loaders.
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.dataset.workspace) return current;
  return document.querySelector<HTMLScriptElement>('script[data-workspace][src*="widget.js"]');
}

function mount(script: HTMLScriptElement): void {
  if (document.getElementById(HOST_ID)) return; // embedded twice: one widget
  const workspace = script.dataset.workspace;
  if (!workspace) {
    console.warn('Kefu chat: the script tag needs data-workspace="<workspace slug>"');
    return;
  }
  const origin = new URL(script.src, document.baseURI).origin;
  const locale = pickLocale(script.dataset.locale, navigator.languages?.length ? navigator.languages : [navigator.language]);
  const host = document.createElement('div');
  host.id = HOST_ID;
  host.lang = locale;
  document.body.appendChild(host);
  const connection = new ChatConnection(origin, workspace, locale);
  // The embedding page may know the visitor (the help-centre portal does, once they have signed in).
  const visitor = { name: script.dataset.name ?? '', email: script.dataset.email ?? '' };
  const ui = new WidgetUi(host.attachShadow({ mode: 'open' }), connection, translator(locale), visitor);
  if (connection.hasToken()) ui.resume();
}

const script = ownScript();
if (script) {
  if (document.body) mount(script);
  else document.addEventListener('DOMContentLoaded', () => mount(script), { once: true });
}
