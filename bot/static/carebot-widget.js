/*
 * carebot chat widget: one <script src=".../static/carebot-widget.js" defer></script>
 * adds a chat button and panel to any page. No external files, no CDN.
 *
 * Optional attributes on the script tag:
 *   data-title="Sunrise Hospital assistant"   the panel's heading
 *
 * It talks to the gateway it was loaded from over a WebSocket
 * (/channels/web/ws), keeps the conversation id in localStorage so a reload or
 * a dropped connection resumes the same conversation, and streams knowledge
 * answers sentence by sentence.
 */
(function () {
  "use strict";
  if (window.carebotWidget) return; // embedded twice: keep the first
  var script = document.currentScript;
  var base = new URL(script ? script.src : window.location.href);
  var title = (script && script.dataset.title) || "Hospital assistant";
  var wsUrl = (base.protocol === "https:" ? "wss://" : "ws://") + base.host + "/channels/web/ws";
  var STORE = "carebot-session";
  var PENDING = "carebot-pending-job";

  function uid() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return "x" + Date.now().toString(16) + Math.random().toString(16).slice(2);
  }
  function sessionId() {
    var id = null;
    try { id = window.localStorage.getItem(STORE); } catch (e) { /* storage blocked */ }
    if (!id) {
      id = "web-" + uid();
      try { window.localStorage.setItem(STORE, id); } catch (e) { /* session lasts the page */ }
    }
    return id;
  }
  function remember(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) { /* ignore */ }
  }
  function recall(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }

  var css = [
    ".cb-root{all:initial;font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans','Noto Sans Devanagari',sans-serif;font-size:16px;line-height:1.45;color:#1a1a1a}",
    ".cb-root *{box-sizing:border-box;font-family:inherit}",
    ".cb-launcher{position:fixed;right:16px;bottom:16px;z-index:2147483000;background:#0b4f9c;color:#fff;border:0;border-radius:24px;padding:12px 20px;font-size:16px;font-weight:600;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3)}",
    ".cb-launcher:focus-visible,.cb-root button:focus-visible,.cb-root textarea:focus-visible,.cb-root a:focus-visible{outline:3px solid #f2a900;outline-offset:2px}",
    ".cb-panel{position:fixed;right:8px;bottom:8px;z-index:2147483001;width:min(400px,calc(100vw - 16px));height:min(600px,calc(100vh - 16px));display:flex;flex-direction:column;background:#fff;border:1px solid #767676;border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.35);overflow:hidden}",
    ".cb-panel[hidden]{display:none}",
    ".cb-head{display:flex;align-items:center;gap:8px;padding:10px 12px;background:#0b4f9c;color:#fff}",
    ".cb-head h2{flex:1;margin:0;font-size:17px;font-weight:600;color:#fff}",
    ".cb-head button{background:transparent;color:#fff;border:1px solid #fff;border-radius:6px;padding:6px 10px;font-size:14px;cursor:pointer}",
    ".cb-status{padding:4px 12px;font-size:14px;color:#1a1a1a;background:#fff6d6;min-height:0}",
    ".cb-status:empty{display:none}",
    ".cb-log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f7f7f7}",
    ".cb-msg{max-width:88%;padding:8px 12px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word}",
    ".cb-patient{align-self:flex-end;background:#0b4f9c;color:#fff}",
    ".cb-bot{align-self:flex-start;background:#fff;color:#1a1a1a;border:1px solid #c8c8c8}",
    ".cb-urgent{align-self:stretch;max-width:100%;background:#fff0f0;color:#7a0000;border:2px solid #b00000;font-weight:600}",
    ".cb-urgent a{display:inline-block;margin-top:6px;background:#b00000;color:#fff;padding:8px 14px;border-radius:8px;text-decoration:none;font-weight:700}",
    ".cb-source{display:block;margin-top:6px;font-size:14px;color:#3b3b3b}",
    ".cb-source a{color:#0b4f9c}",
    ".cb-draft{color:#595959;font-style:italic}",
    ".cb-quick{display:flex;flex-wrap:wrap;gap:6px;margin-top:6px}",
    ".cb-quick button{background:#fff;color:#0b4f9c;border:1px solid #0b4f9c;border-radius:16px;padding:6px 12px;font-size:14px;cursor:pointer}",
    ".cb-quick button:disabled{color:#595959;border-color:#949494;cursor:default}",
    ".cb-typing{align-self:flex-start;color:#3b3b3b;font-size:14px;padding:4px 12px}",
    ".cb-form{display:flex;gap:6px;padding:8px;border-top:1px solid #c8c8c8;background:#fff}",
    ".cb-form textarea{flex:1;resize:none;min-height:44px;max-height:120px;padding:10px;border:1px solid #767676;border-radius:8px;font-size:16px;color:#1a1a1a;background:#fff}",
    ".cb-form button{background:#0b4f9c;color:#fff;border:0;border-radius:8px;padding:0 16px;font-size:16px;font-weight:600;cursor:pointer;min-width:64px}",
    ".cb-human{margin:0 8px 8px;background:#fff;color:#0b4f9c;border:1px solid #0b4f9c;border-radius:8px;padding:8px;font-size:15px;cursor:pointer}",
    ".cb-sr{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}"
  ].join("\n");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "class") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    if (text) node.textContent = text;
    return node;
  }

  var root = el("div", { class: "cb-root", "data-carebot": "" });
  var style = el("style");
  style.textContent = css;
  var launcher = el("button", {
    class: "cb-launcher", type: "button", "aria-expanded": "false", "aria-controls": "cb-panel"
  }, "Chat with us");
  var panel = el("section", { class: "cb-panel", id: "cb-panel", "aria-labelledby": "cb-title" });
  panel.hidden = true;
  var head = el("div", { class: "cb-head" });
  var heading = el("h2", { id: "cb-title" }, title);
  var closeBtn = el("button", { type: "button", "aria-label": "Close chat" }, "Close");
  head.appendChild(heading);
  head.appendChild(closeBtn);
  var status = el("div", { class: "cb-status", role: "status" });
  var log = el("div", {
    class: "cb-log", role: "log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "0"
  });
  var typing = el("div", { class: "cb-typing", "aria-hidden": "true" }, "Assistant is typing…");
  typing.hidden = true;
  var form = el("form", { class: "cb-form" });
  var label = el("label", { class: "cb-sr", for: "cb-input" }, "Your message");
  var input = el("textarea", {
    id: "cb-input", rows: "1", maxlength: "1600", autocomplete: "off",
    placeholder: "Type your question…", "aria-describedby": "cb-hint"
  });
  var hint = el("span", { id: "cb-hint", class: "cb-sr" }, "Press Enter to send, Shift+Enter for a new line.");
  var send = el("button", { type: "submit" }, "Send");
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(hint);
  form.appendChild(send);
  var human = el("button", { class: "cb-human", type: "button" }, "Talk to a person");
  panel.appendChild(head);
  panel.appendChild(status);
  panel.appendChild(log);
  panel.appendChild(form);
  panel.appendChild(human);
  root.appendChild(style);
  root.appendChild(launcher);
  root.appendChild(panel);
  log.appendChild(typing);

  var session = sessionId();
  var socket = null;
  var retryDelay = 500;
  var queue = []; // frames written while disconnected, sent on reconnect
  var answering = null; // the bubble a knowledge answer is streaming into

  function scroll() { log.scrollTop = log.scrollHeight; }
  function showTyping(on) {
    typing.hidden = !on;
    log.appendChild(typing); // keep it last
    scroll();
  }

  function bubble(role, text, route) {
    var urgent = route === "emergency" || route === "crisis";
    var node = el("div", {
      class: "cb-msg " + (role === "patient" ? "cb-patient" : urgent ? "cb-urgent" : "cb-bot"),
      "data-route": route || ""
    });
    var who = el("span", { class: "cb-sr" }, role === "patient" ? "You: " : "Assistant: ");
    node.appendChild(who);
    node.appendChild(document.createTextNode(text));
    log.insertBefore(node, typing);
    scroll();
    return node;
  }

  function addCall(node, number) {
    var link = el("a", { href: "tel:" + number.replace(/[^0-9+]/g, "") }, "Call " + number + " now");
    node.appendChild(el("br"));
    node.appendChild(link);
  }

  function addSources(node, citations) {
    (citations || []).forEach(function (c) {
      var line = el("span", { class: "cb-source" }, "Source: ");
      var link = el("a", { href: c.url, target: "_blank", rel: "noopener noreferrer" }, c.title);
      line.appendChild(link);
      node.appendChild(line);
    });
  }

  function addButtons(node, buttons) {
    if (!buttons || !buttons.length) return;
    var row = el("div", { class: "cb-quick", role: "group", "aria-label": "Suggested replies" });
    buttons.forEach(function (b) {
      var button = el("button", { type: "button" }, b.title);
      button.addEventListener("click", function () {
        Array.prototype.forEach.call(row.querySelectorAll("button"), function (x) { x.disabled = true; });
        say(b.payload, b.title);
        input.focus();
      });
      row.appendChild(button);
    });
    node.appendChild(row);
  }

  function render(frame) {
    if (frame.type === "hello") {
      Array.prototype.slice.call(log.querySelectorAll(".cb-msg")).forEach(function (n) { n.remove(); });
      (frame.history || []).forEach(function (t) { bubble(t.role, t.text, t.route); });
      status.textContent = "";
      var pending = recall(PENDING);
      if (pending) transmit({ type: "resume", job: pending });
      flush();
    } else if (frame.type === "typing") {
      showTyping(true);
    } else if (frame.type === "reply") {
      showTyping(false);
      var node = bubble("bot", frame.text, frame.route);
      if (frame.call) addCall(node, frame.call);
      addSources(node, frame.citations);
      addButtons(node, frame.buttons);
    } else if (frame.type === "pending") {
      remember(PENDING, frame.job);
      showTyping(true);
    } else if (frame.type === "sentence") {
      showTyping(false);
      if (!answering) answering = bubble("bot", "", "knowledge");
      answering.appendChild(document.createTextNode((answering.childNodes.length > 1 ? " " : "") + frame.text));
      showTyping(true);
    } else if (frame.type === "draft") {
      if (!answering) answering = bubble("bot", "", "knowledge");
      answering.classList.add("cb-draft");
      answering.setAttribute("aria-hidden", "true"); // unverified: shown as typing only
      answering.appendChild(document.createTextNode(frame.text));
      scroll();
    } else if (frame.type === "final") {
      showTyping(false);
      remember(PENDING, null);
      if (answering) answering.remove();
      answering = null;
      var done = bubble("bot", frame.text, "knowledge");
      addButtons(done, frame.buttons);
    } else if (frame.type === "idle") {
      showTyping(false);
    } else if (frame.type === "error") {
      showTyping(false);
      status.textContent = frame.detail;
    }
  }

  function transmit(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
    else queue.push(frame);
  }
  function flush() {
    while (queue.length && socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(queue.shift()));
    }
  }

  function connect() {
    socket = new WebSocket(wsUrl + "?session=" + encodeURIComponent(session));
    socket.addEventListener("open", function () { retryDelay = 500; });
    socket.addEventListener("message", function (event) {
      try { render(JSON.parse(event.data)); } catch (e) { /* a frame we cannot read */ }
    });
    socket.addEventListener("close", function () {
      status.textContent = "Connection lost. Reconnecting…";
      window.setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 8000);
    });
  }

  function say(text, shown) {
    var clean = (text || "").trim();
    if (!clean) return;
    bubble("patient", shown || clean);
    transmit({ type: "message", id: uid(), text: clean });
  }

  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.hidden = true;
    if (!socket) connect();
    input.focus();
  }
  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", open);
  closeBtn.addEventListener("click", close);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") close();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    say(input.value);
    input.value = "";
    input.focus();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });
  human.addEventListener("click", function () {
    say("/talk_to_human", "Talk to a person");
    input.focus();
  });

  function mount() {
    document.body.appendChild(root);
    if (recall(PENDING) || recall("carebot-open") === "1") open();
  }
  panel.addEventListener("focusin", function () { remember("carebot-open", "1"); });
  closeBtn.addEventListener("click", function () { remember("carebot-open", null); });
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
  window.carebotWidget = { open: open, close: close, session: function () { return session; } };
})();
