// The seeded generator tests share: the demo generator's mulberry32 (src/app/demo/generate.ts),
// so a seed gives the same sequence wherever it is used and no test carries its own generator.
export { mulberry32 } from "../../src/app/demo/generate.js";
