import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root, whether running from `src/` (tests) or the compiled `dist/`. */
function findPackageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

export const packageRoot = findPackageRoot();
export const consoleDist = path.join(packageRoot, 'web/console/dist');
export const portalAssets = path.join(packageRoot, 'web/portal');
/** The chat widget's build (`npm run build`): widget.js, served at /widget.js. */
export const widgetDist = path.join(packageRoot, 'web/widget/dist');
