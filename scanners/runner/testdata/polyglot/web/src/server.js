const child_process = require("child_process");

function run(req) {
  child_process.exec("convert " + req.query.file);
  return eval(req.query.expr);
}

module.exports = { run };
