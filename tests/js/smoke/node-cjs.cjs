// Node, CommonJS: `require` of the package.
const api = require("cekmutasi");

import("./smoke.mjs")
  .then(({ smoke }) => smoke(api, JSON.parse(process.argv[2])))
  .then((result) => console.log(JSON.stringify(result)));
