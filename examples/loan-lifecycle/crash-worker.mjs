// One worker process of `npm run demo -- --crash`: opens the durable loan flow on the shared
// database and runs it. With CRASH_AT set, it tells the parent when that step's vendor writes
// have returned (before the job is acknowledged) and waits there — the parent kills it.
import { openFlow } from "./crash-flow.mjs";

const { path, vendors, crashAt } = JSON.parse(process.env.CRASH_FLOW);
const flow = await openFlow({
  path,
  vendors,
  hooks: {
    beforeAck: async (step) => {
      if (step !== crashAt) return;
      process.send({ type: "before-ack", step, events: flow.events });
      await new Promise(() => undefined); // the parent's SIGKILL lands here
    },
  },
});
const worker = flow.queue.work({ concurrency: 2 });
const done = () => flow.events.some((e) => e.type === "completed" && e.name === "loan.notify");
while (!done()) await new Promise((resolve) => setTimeout(resolve, 20));
await worker.stop();
process.send({ type: "done", events: flow.events });
await flow.close();
process.exit(0);
