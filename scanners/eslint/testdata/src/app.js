// A deliberately unsafe module for eslint-plugin-security to report on.
const fs = require("fs");
const child_process = require("child_process");

function readUserFile(name) {
	return fs.readFileSync("/srv/data/" + name);
}

function run(cmd) {
	child_process.exec(cmd);
}

function pick(obj, key) {
	return obj[key];
}

function check(input) {
	const re = new RegExp(input);
	return /^(a+)+$/.test(input) && re.test("x");
}

function calc(expr) {
	// eslint-disable-next-line no-eval -- trusted input only
	return eval(expr);
}

module.exports = { readUserFile, run, pick, check, calc };
