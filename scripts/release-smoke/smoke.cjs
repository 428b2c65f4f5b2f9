// Consumer smoke test (CommonJS): the packages loaded with `require`, as a CommonJS application gets them.
const { run } = require("./scenario.cjs");

const modules = {
  core: require("@connect/core"),
  testing: require("@connect/core/testing"),
  sendgridPkg: require("@connect/sendgrid"),
  sendgridTesting: require("@connect/sendgrid/testing"),
  textractPkg: require("@connect/textract"),
  textractTesting: require("@connect/textract/testing"),
};
run(modules, "cjs").then(
  (out) => console.log(JSON.stringify(out)),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
