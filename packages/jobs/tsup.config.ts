import { packageConfig } from "../../tsup.config.base.js";

export default packageConfig({ index: "src/index.ts", bullmq: "src/bullmq/index.ts", sqs: "src/sqs/index.ts", testing: "src/testing/index.ts" });
