import { packageConfig } from "../../tsup.config.base.js";

export default packageConfig({ index: "src/index.ts", testing: "src/testing/index.ts" });
