// NestJS 12 and a few of its dependencies ship only ES modules. Node 20.19+ loads
// them through require(esm), but jest's module system does not before Node 24.9,
// so jest compiles exactly those files to CommonJS and leaves every other file alone.
const { createTransformer } = require('@swc/jest');

const swc = createTransformer({ module: { type: 'commonjs' }, jsc: { target: 'es2022' } });
const ESM = /^\s*(import\s*[\w{*'"]|export\s+(\*|\{|default|const|function|class|async|let|var))/m;

module.exports = {
  canInstrument: false,
  getCacheKey(src, file, opts) {
    return swc.getCacheKey(src, file, opts) + (ESM.test(src) ? ':esm' : ':cjs');
  },
  process(src, file, opts) {
    return ESM.test(src) ? swc.process(src, file, opts) : { code: src };
  },
};
