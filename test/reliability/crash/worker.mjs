// One worker life of the crash suite, run as a child process on the built packages. It builds the
// world, says "ready", and on "go" starts working (jobs and the inbox) or hosting the webhook
// receiver. CRASH_MODE picks where it dies (SIGKILL, no clean-up): before the vendor call, after
// the vendor accepted (before the result is recorded), before the ack; `random` and `host` leave
// the killing to the parent; `none` drains the queues and exits.
import { createServer } from "node:http";
import { buildWorld, openBackend } from "./world.mjs";

const config = JSON.parse(process.env.CRASH_CONFIG);
const mode = process.env.CRASH_MODE ?? "none";
const odds = Number(process.env.CRASH_ODDS ?? "0.3");
let going = false;

function die(point) {
  if (going && point === mode && Math.random() < odds) process.kill(process.pid, "SIGKILL");
}

const opened = await openBackend(config);
const world = buildWorld(config, opened, die);
process.send({ type: "ready" });

process.on("message", async (message) => {
  if (message.type !== "go") return;
  going = true;
  if (mode === "host") {
    const server = createServer((req, res) => void world.receiver.node(req, res));
    server.listen(0, "127.0.0.1", () => process.send({ type: "listening", port: server.address().port }));
    return;
  }
  const workers = [world.queue.work({ concurrency: 4 }), world.inbox.queue.work({ concurrency: 2 })];
  if (mode !== "none") return;
  // Drain: stop once both queues have nothing waiting, delayed or running.
  const drainStart = Date.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const [a, b] = await Promise.all([world.queue.stats(), world.inbox.queue.stats()]);
    if (process.env.CRASH_DEBUG) console.error(JSON.stringify({ t: Date.now() - drainStart, a, b }));
    if (a.waiting + a.delayed + a.active + b.waiting + b.delayed + b.active === 0) break;
  }
  if (process.env.CRASH_DEBUG) console.error(`drained in ${Date.now() - drainStart} ms`);
  await Promise.all(workers.map((w) => w.stop()));
  await world.close();
  await opened.close();
  process.send({ type: "drained" });
  process.exit(0);
});
