// A deliberately unsafe script for ESLint's core security rules.
function run(userInput) {
  var unused = 1;
  eval("console.log(" + userInput + ")");
  return new Function("a", userInput);
}

module.exports = run;
