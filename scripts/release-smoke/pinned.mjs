// Pinned-version check: the app uses a newer @connect/core while @connect/sendgrid stays
// pinned to the version it was published with (npm nests sendgrid's own compatible core).
// The older adapter still works, and its errors are recognised by the newer core's classes.
import { createRequire } from "node:module";
import { IntegrationError, ValidationError } from "@connect/core";
import { serveHandlers } from "@connect/core/testing";
import { createSendGridClient } from "@connect/sendgrid";
import { createSendGridFake } from "@connect/sendgrid/testing";

const require = createRequire(import.meta.url);
const appCore = require("@connect/core/package.json").version;
const sendgridPkg = require("@connect/sendgrid/package.json");
const sendgridCore = createRequire(require.resolve("@connect/sendgrid"))("@connect/core/package.json").version;

const fake = createSendGridFake();
const server = await serveHandlers(fake.handlers);
const sendgrid = createSendGridClient({ apiKey: fake.apiKey, baseUrl: server.url });
const sent = await sendgrid.mail.send({
  from: { email: "draws@acme-lending.example" },
  subject: "Pinned",
  content: [{ type: "text/plain", value: "hello" }],
  personalizations: [{ to: [{ email: "ana@example.com" }] }],
});
const invalid = await sendgrid.mail.send({ from: { email: "nope" } }).catch((error) => error);
await sendgrid.close();
await server.close();
console.log(
  JSON.stringify({
    appCore,
    sendgrid: sendgridPkg.version,
    sendgridCore,
    sent: typeof sent.messageId === "string",
    crossCopyError: invalid instanceof ValidationError && IntegrationError.is(invalid),
  }),
);
