// Consumer smoke test (ESM): the packages loaded with `import`, as an ESM application gets them.
import * as core from "@connect/core";
import * as testing from "@connect/core/testing";
import * as sendgridPkg from "@connect/sendgrid";
import * as sendgridTesting from "@connect/sendgrid/testing";
import * as textractPkg from "@connect/textract";
import * as textractTesting from "@connect/textract/testing";
import scenario from "./scenario.cjs";

console.log(JSON.stringify(await scenario.run({ core, testing, sendgridPkg, sendgridTesting, textractPkg, textractTesting }, "esm")));
