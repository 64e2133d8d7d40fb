// The sandbox inbox: polls the JSON API and draws each thread like its channel.
// Everything a customer typed is put into the page as text (never as HTML); a mail's HTML
// body goes into a sandboxed frame with no scripts.
"use strict";

const CHANNEL_NAMES = {
  whatsapp: "WhatsApp", telegram: "Telegram", sms: "SMS", email: "Email", voice: "Voice",
};
const ROLE_TITLES = {
  customer: "Customers", collector: "Collectors", sales: "Salespeople", admin: "Admins",
};
const state = { people: [], person: null, tab: null, seen: "", busy: false };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "className") node.className = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function when(iso) {
  if (!iso) return "";
  const moment = new Date(iso);
  return moment.toLocaleString(undefined, {
    day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
  });
}

function setStatus(text, error) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.className = error ? "status error" : "status";
}

async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || response.statusText);
  return answer;
}

// --- the people list -----------------------------------------------------------------
function contactLine(contacts) {
  const parts = [];
  for (const [channel, values] of Object.entries(contacts || {})) {
    parts.push(`${CHANNEL_NAMES[channel] || channel}: ${values.join(", ")}`);
  }
  return parts.join(" · ");
}

function nextLine(next) {
  if (!next) return null;
  return `next contact ${next.local_date} (${next.channels.join(", ") || "—"})`;
}

function drawPeople() {
  const nav = document.getElementById("people");
  const groups = {};
  for (const person of state.people) (groups[person.role] ||= []).push(person);
  nav.replaceChildren();
  for (const role of ["customer", "collector", "sales", "admin"]) {
    if (!groups[role]) continue;
    nav.append(el("h2", {}, ROLE_TITLES[role] || role));
    for (const person of groups[role]) {
      nav.append(el("button", {
        className: "who" + (person.id === state.person ? " active" : ""),
        "data-person": person.id,
        onclick: () => choose(person.id),
      },
      el("div", { className: "name" }, person.code ? `${person.code} · ${person.name}` : person.name),
      el("div", { className: "meta" }, contactLine(person.contacts)),
      el("div", { className: "next" }, nextLine(person.next_contact))));
    }
  }
}

async function refreshPeople() {
  try {
    state.people = (await getJson("/sandbox/api/people")).people;
    drawPeople();
    setStatus(`${state.people.length} people · updated ${new Date().toLocaleTimeString()}`);
  } catch (error) {
    setStatus(`cannot reach Tagih: ${error.message}`, true);
  }
}

function choose(personId) {
  if (location.hash.slice(1) !== personId) location.hash = personId;
  state.person = personId;
  state.tab = null;
  state.seen = "";
  drawPeople();
  refreshThread();
}

// --- one person's threads ------------------------------------------------------------
async function refreshThread() {
  if (!state.person || state.busy) return;
  const person = state.person;
  let data;
  try {
    data = await getJson(`/sandbox/api/thread?person=${encodeURIComponent(person)}`);
  } catch (error) {
    setStatus(error.message, true);
    return;
  }
  if (person !== state.person) return;
  const seen = JSON.stringify(data);
  if (seen === state.seen) return;
  state.seen = seen;
  drawPerson(data);
}

function drawPerson(data) {
  const section = document.getElementById("person");
  const channels = Object.keys(data.channels);
  if (!state.tab || !channels.includes(state.tab)) state.tab = channels[0] || null;
  const keep = section.querySelector("#reply-text");
  const typed = keep ? keep.value : "";
  const focused = document.activeElement === keep;
  const who = data.person;
  const links = who.links && who.links.customer
    ? el("div", { className: "links" },
      el("a", { href: who.links.customer, target: "_blank" }, "log, promises and cases (JSON)"))
    : null;
  const tabs = el("div", { className: "tabs" }, channels.map((channel) => el("button", {
    className: channel === state.tab ? "active" : "",
    "data-tab": channel,
    onclick: () => { state.tab = channel; state.seen = ""; refreshThread(); },
  }, `${CHANNEL_NAMES[channel] || channel} (${data.channels[channel].length})`)));
  const children = [
    el("h1", {}, who.code ? `${who.code} · ${who.name}` : who.name),
    el("div", { className: "contacts" }, `${who.role} · ${contactLine(who.contacts) || "no contacts"}`),
    who.kind === "customer"
      ? el("div", { className: "contacts next" }, nextLine(who.next_contact) || "no contact planned")
      : null,
    links,
  ];
  if (data.connect) {
    children.push(el("p", { className: "note" },
      "No Telegram chat is bound to this staff member yet. ",
      el("button", { className: "action", id: "connect", onclick: () => act("/sandbox/api/connect", { person: who.id }) },
        "Connect a sandbox Telegram chat")));
  }
  if (!channels.length) children.push(el("p", { className: "empty" }, "No channel in the sandbox for this person."));
  else children.push(tabs, drawPane(who, state.tab, data.channels[state.tab], data.replies[state.tab]));
  // replaceChildren would write a null as the text "null".
  section.replaceChildren(...children.filter((child) => child));
  const input = section.querySelector("#reply-text");
  if (input) {
    input.value = typed;
    if (focused) input.focus();
  }
  const thread = section.querySelector(".thread");
  if (thread) thread.lastElementChild?.scrollIntoView({ block: "nearest" });
}

function drawPane(who, channel, items, canReply) {
  const thread = el("div", { className: "thread" });
  for (const item of items) {
    if (channel === "email") thread.append(drawMail(item));
    else if (channel === "voice") thread.append(drawCall(who, item));
    else thread.append(drawBubble(who, channel, item));
  }
  if (!items.length) thread.append(el("p", { className: "empty" }, "Nothing yet."));
  const pane = el("div", { className: `pane ${channel}`, "data-channel": channel }, thread);
  if (channel === "voice") {
    pane.append(el("p", { className: "note" }, "Answer a ringing call, then press keys as the customer would."));
  } else if (canReply) {
    const input = el("input", {
      id: "reply-text", type: "text", autocomplete: "off",
      placeholder: `Reply as ${who.name} on ${CHANNEL_NAMES[channel]}`,
      onkeydown: (event) => { if (event.key === "Enter") send(); },
    });
    const send = () => {
      const text = input.value;
      if (!text.trim()) return;
      input.value = "";
      act("/sandbox/api/reply", { person: who.id, channel, text });
    };
    pane.append(el("div", { className: "composer" }, input,
      el("button", { id: "reply-send", onclick: send }, "Send")));
  } else {
    pane.append(el("p", { className: "note" }, "Replies on this channel are not available in the sandbox."));
  }
  return pane;
}

function drawBubble(who, channel, item) {
  const bubble = el("div", { className: `msg ${item.dir}`, "data-dir": item.dir },
    item.photo ? "[photo] " : null,
    item.text || (item.template ? `[template ${item.template}]` : ""),
    el("span", { className: "at" }, when(item.at), item.status ? ` · ${item.status}` : ""));
  if (item.buttons) {
    bubble.append(el("div", { className: "buttons" }, item.buttons.map((row) => el("div", { className: "row" },
      row.map((button) => el("button", {
        "data-button": button.data,
        title: button.url || button.data || "",
        onclick: () => button.data && act("/sandbox/api/reply", {
          person: who.id, channel, button: button.data, message_id: item.id,
        }),
      }, button.text))))));
  }
  for (const press of item.pressed || []) {
    bubble.append(el("div", { className: "pressed" },
      `pressed «${press.label || press.data}»`, press.answer ? ` → ${press.answer}` : ""));
  }
  return bubble;
}

function drawMail(item) {
  if (item.dir === "in") {
    return el("div", { className: "mail in" },
      el("div", { className: "head" }, `reply received · ${when(item.at)}`), el("pre", {}, item.text));
  }
  const mail = el("div", { className: "mail" },
    el("div", { className: "head" },
      el("div", { className: "subject" }, item.subject || "(no subject)"),
      el("div", {}, `from ${item.from} · ${when(item.at)}`)));
  if (item.html) {
    const frame = el("iframe", { sandbox: "", title: item.subject || "mail", referrerpolicy: "no-referrer" });
    frame.srcdoc = item.html;  // a property, not markup: the mail cannot reach this page
    mail.append(frame);
  } else {
    mail.append(el("pre", {}, item.text));
  }
  if ((item.attachments || []).length) {
    mail.append(el("div", { className: "attachments" }, "Attachments: ",
      item.attachments.map((a) => `${a.name || "(unnamed)"} (${a.type}, ${a.size} bytes)`).join("; ")));
  }
  return mail;
}

function drawCall(who, item) {
  const call = el("div", { className: "call", "data-call": item.id },
    el("div", {}, `📞 call from ${item.from} · ${when(item.at)} · ${item.status}`));
  for (const line of item.transcript) {
    call.append(el("div", { className: `line ${line.dir}` }, line.text));
  }
  if (!item.answered && ["queued", "ringing", "initiated"].includes(item.status)) {
    call.append(el("button", { className: "action", onclick: () => act("/sandbox/api/answer", { person: who.id }) }, "Answer"));
  }
  if (item.waiting) {
    call.append(el("div", { className: "keypad" }, ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"].map(
      (digit) => el("button", {
        "data-digit": digit,
        onclick: () => act("/sandbox/api/reply", { person: who.id, channel: "voice", digits: digit }),
      }, digit))));
  }
  return call;
}

async function act(path, body) {
  state.busy = true;
  try {
    await post(path, body);
    setStatus("sent");
  } catch (error) {
    setStatus(error.message, true);
  } finally {
    state.busy = false;
  }
  state.seen = "";
  refreshThread();
  refreshPeople();
}

window.addEventListener("hashchange", () => {
  const wanted = decodeURIComponent(location.hash.slice(1));
  if (wanted && wanted !== state.person) choose(wanted);
});

document.addEventListener("DOMContentLoaded", async () => {
  await refreshPeople();
  const wanted = decodeURIComponent(location.hash.slice(1));
  if (wanted) choose(wanted);
  setInterval(refreshThread, 1000);
  setInterval(refreshPeople, 5000);
});
