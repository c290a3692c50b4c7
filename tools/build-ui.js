// Builds the web page served at /ui: bundles src/ui/web/main.ts (and the figure code it
// shares with the server) into one script with esbuild, and copies the HTML and CSS
// beside it. `npm run build` writes dist/ui/web; the browser tests write src/ui/web.
const { build } = require('esbuild');
const { copyFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

const SOURCE = join(__dirname, '..', 'src', 'ui', 'web');

async function buildPage(outDir) {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(SOURCE, 'main.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  if (outDir !== SOURCE) for (const file of ['index.html', 'app.css']) copyFileSync(join(SOURCE, file), join(outDir, file));
}

module.exports = { buildPage, SOURCE };

if (require.main === module) {
  buildPage(process.argv[2] ?? join(__dirname, '..', 'dist', 'ui', 'web')).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
