// Deliberately vulnerable sample for eslint-plugin-security.
// Never run it; never copy from it.
'use strict';

const childProcess = require('child_process');
const fs = require('fs');
const _ = require('lodash');

function calc(expr) {
  return eval(expr);
}

function list(dir) {
  return childProcess.exec('ls ' + dir);
}

function match(pattern, text) {
  const re = new RegExp(pattern);
  return re.test(text);
}

function read(name) {
  return fs.readFileSync(name, 'utf8');
}

function pick(obj, key) {
  return obj[key];
}

module.exports = { calc, list, match, read, pick, merge: _.merge };
