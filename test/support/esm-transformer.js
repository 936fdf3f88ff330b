// Jest transformer for the ES-module packages of NestJS 12: import.meta becomes CommonJS
// equivalents (without `require`, which some of them shadow), then Babel rewrites import/export.
const babel = require('@babel/core');

module.exports = {
  process(source, filename) {
    const code = source
      .replace(/import\.meta\.resolve\(/g, 'module.constructor.createRequire(__filename).resolve(')
      .replace(/import\.meta\.url/g, '("file://" + __filename)')
      .replace(/import\.meta\.dirname/g, '__dirname')
      .replace(/import\.meta\.filename/g, '__filename');
    const out = babel.transformSync(code, {
      filename,
      babelrc: false,
      configFile: false,
      sourceMaps: 'inline',
      plugins: ['@babel/plugin-transform-modules-commonjs'],
    });
    return { code: out.code };
  },
};
