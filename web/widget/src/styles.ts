/**
 * The widget's stylesheet, inside its Shadow DOM: the host page's CSS can't reach in and this
 * can't leak out. `:host { all: initial }` also stops inherited fonts and colours from the page.
 */
export const STYLES = `
/* !important here wins over the page's own !important rules on the host element (CSS Scoping). */
:host { all: initial !important; position: fixed !important; right: 20px !important; bottom: 20px !important; z-index: 2147483000 !important; display: block !important; }
.root { display: flex; flex-direction: column; align-items: flex-end; gap: 10px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; color: #1f2933; }
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
svg { width: 18px; height: 18px; fill: none; stroke: currentColor; stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; flex: none; }
button, input, select, textarea { font: inherit; color: inherit; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.launcher { display: flex; align-items: center; gap: 8px; border: 0; border-radius: 999px; padding: 12px 18px; background: #1d4ed8; color: #fff; cursor: pointer; box-shadow: 0 6px 20px rgba(0,0,0,.2); font-weight: 600; }
.launcher:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.panel { display: flex; flex-direction: column; width: min(370px, calc(100vw - 24px)); height: min(560px, calc(100vh - 40px)); background: #fff; border-radius: 14px; box-shadow: 0 12px 40px rgba(0,0,0,.25); overflow: hidden; }
.head { display: flex; align-items: center; justify-content: space-between; padding: 12px 14px; background: #1d4ed8; color: #fff; }
.head h2 { margin: 0; font-size: 16px; }
.icon-button { border: 0; background: transparent; color: inherit; cursor: pointer; font-size: 20px; line-height: 1; padding: 4px 8px; border-radius: 6px; }
.body { flex: 1; overflow-y: auto; padding: 14px; display: flex; flex-direction: column; gap: 10px; }
.status { padding: 6px 14px; background: #fef3c7; color: #78350f; font-size: 13px; }
form.fields { display: flex; flex-direction: column; gap: 10px; }
label { display: flex; flex-direction: column; gap: 4px; font-weight: 600; font-size: 13px; }
input, select, textarea { border: 1px solid #9aa5b1; border-radius: 8px; padding: 8px 10px; font-weight: 400; background: #fff; }
textarea { resize: vertical; min-height: 64px; }
[aria-invalid="true"] { border-color: #b91c1c; }
.field-error { color: #b91c1c; font-weight: 400; font-size: 12px; }
.primary { border: 0; border-radius: 8px; padding: 9px 14px; background: #1d4ed8; color: #fff; font-weight: 600; cursor: pointer; }
.secondary { border: 1px solid #1d4ed8; border-radius: 8px; padding: 8px 12px; background: #fff; color: #1d4ed8; cursor: pointer; }
.primary[disabled] { opacity: .6; cursor: default; }
.muted { color: #52606d; font-size: 13px; margin: 0; }
.alert { color: #b91c1c; margin: 0; }
.queue { background: #eff6ff; border-radius: 10px; padding: 10px 12px; }
.queue p { margin: 0; }
.suggestions { border: 1px solid #d9e2ec; border-radius: 10px; padding: 10px 12px; }
.suggestions h3 { margin: 0 0 6px; font-size: 13px; }
.suggestions ul { margin: 0 0 8px; padding-left: 18px; }
.suggestions a { color: #1d4ed8; }
.suggestions .actions { display: flex; gap: 8px; flex-wrap: wrap; }
.log { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
.msg { max-width: 82%; padding: 8px 11px; border-radius: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
.msg-visitor { align-self: flex-end; background: #1d4ed8; color: #fff; border-bottom-right-radius: 4px; }
.msg-agent { align-self: flex-start; background: #f0f4f8; border-bottom-left-radius: 4px; }
.msg-system { align-self: center; background: transparent; color: #52606d; font-size: 12px; text-align: center; }
.msg .who { display: block; font-size: 11px; opacity: .8; }
.msg .meta { display: block; text-align: right; font-size: 11px; opacity: .85; margin-top: 2px; }
.msg a { color: inherit; display: inline-flex; align-items: center; gap: 4px; }
.tick-read { color: #bfdbfe; font-weight: 700; }
.typing { min-height: 18px; padding: 0 14px; color: #52606d; font-size: 12px; font-style: italic; }
.composer { display: flex; gap: 6px; align-items: flex-end; border-top: 1px solid #d9e2ec; padding: 8px; }
.composer textarea { flex: 1; min-height: 38px; max-height: 120px; }
.composer .attach { position: relative; overflow: hidden; border: 1px solid #9aa5b1; border-radius: 8px; padding: 8px 10px; cursor: pointer; background: #fff; }
.composer .attach input { position: absolute; inset: 0; opacity: 0; cursor: pointer; }
.foot { display: flex; justify-content: space-between; gap: 8px; padding: 6px 10px 10px; }
.rating { display: flex; flex-direction: column; gap: 8px; border-top: 1px solid #d9e2ec; padding: 10px; margin: 0; }
.rating h3 { margin: 0; font-size: 13px; }
.stars { display: flex; gap: 4px; }
.star { border: 0; background: none; font-size: 24px; line-height: 1; color: #9aa5b1; cursor: pointer; padding: 2px; }
.star[aria-pressed="true"] { color: #f59e0b; }
.link { border: 0; background: none; color: #1d4ed8; text-decoration: underline; cursor: pointer; padding: 0; font-size: 13px; }
@media (max-width: 420px) { :host { right: 8px !important; bottom: 8px !important; } }
@media (prefers-reduced-motion: no-preference) { .panel { animation: rise .15s ease-out; } @keyframes rise { from { transform: translateY(8px); opacity: 0; } } }
`;
