/* Meridian studio: the post editor's helpers. Written for Meridian (same licence as the
   project); no third-party code. The form works without this script: it only adds a
   formatting toolbar, Ctrl+B / Ctrl+I, autosave of what is typed, and a warning before
   leaving with words not yet kept. Served from /static under the strict CSP. */
(function () {
  "use strict";
  var form = document.getElementById("editor");
  if (!form || !window.fetch || !window.FormData) { return; }
  var body = document.getElementById("body_md");
  var toolbar = form.querySelector(".toolbar");
  var status = document.getElementById("autosave-status");
  var dirty = false;
  var timer = null;
  var busy = false;
  var AUTOSAVE_AFTER_MS = 5000;

  function say(text) { if (status && status.textContent !== text) { status.textContent = text; } }

  function replaceSelection(text, selectFrom, selectTo) {
    var start = body.selectionStart;
    var end = body.selectionEnd;
    body.setRangeText(text, start, end, "end");
    if (selectFrom !== undefined) { body.setSelectionRange(start + selectFrom, start + selectTo); }
  }

  function wrap(before, after, placeholder) {
    var chosen = body.value.slice(body.selectionStart, body.selectionEnd) || placeholder;
    replaceSelection(before + chosen + after, before.length, before.length + chosen.length);
  }

  function prefixLines(prefix, numbered) {
    var value = body.value;
    var start = value.lastIndexOf("\n", body.selectionStart - 1) + 1;
    var end = value.indexOf("\n", body.selectionEnd);
    if (end === -1) { end = value.length; }
    var lines = value.slice(start, end).split("\n").map(function (line, i) {
      return (numbered ? (i + 1) + ". " : prefix) + line;
    });
    body.setSelectionRange(start, end);
    replaceSelection(lines.join("\n"));
  }

  var formats = {
    bold: function () { wrap("**", "**", "bold words"); },
    italic: function () { wrap("*", "*", "italic words"); },
    heading: function () { prefixLines("## "); },
    link: function () { wrap("[", "](https://)", "link words"); },
    bullets: function () { prefixLines("- "); },
    numbers: function () { prefixLines("", true); },
    quote: function () { prefixLines("> "); }
  };

  function apply(name) {
    body.focus();
    formats[name]();
    changed();
  }

  if (toolbar && body) {
    var buttons = Array.prototype.slice.call(toolbar.querySelectorAll("button[data-format]"));
    toolbar.hidden = false;
    // One tab stop for the toolbar; arrow keys move between its buttons (ARIA toolbar).
    buttons.forEach(function (button, i) { button.tabIndex = i === 0 ? 0 : -1; });
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-format]");
      if (button) { apply(button.getAttribute("data-format")); }
    });
    toolbar.addEventListener("keydown", function (event) {
      var index = buttons.indexOf(document.activeElement);
      if (index === -1) { return; }
      var next = null;
      if (event.key === "ArrowRight") { next = (index + 1) % buttons.length; }
      if (event.key === "ArrowLeft") { next = (index - 1 + buttons.length) % buttons.length; }
      if (event.key === "Home") { next = 0; }
      if (event.key === "End") { next = buttons.length - 1; }
      if (next !== null) {
        event.preventDefault();
        buttons[index].tabIndex = -1;
        buttons[next].tabIndex = 0;
        buttons[next].focus();
      }
    });
    body.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey) { return; }
      var key = event.key.toLowerCase();
      if (key === "b" || key === "i") {
        event.preventDefault();
        apply(key === "b" ? "bold" : "italic");
      }
    });
  }

  function setToken(token) {
    var field = form.querySelector("input[name=csrf_token]");
    if (field && token) { field.value = token; }
  }

  function moved(reply) {
    // A new post became a draft on its first autosave: later saves go to it.
    if (!reply.save_url || form.getAttribute("action") === reply.save_url) { return; }
    form.setAttribute("action", reply.save_url);
    form.setAttribute("data-autosave-url", reply.autosave_url);
    var preview = form.querySelector("button[formaction]");
    if (preview) { preview.setAttribute("formaction", reply.preview_url); }
    if (window.history && window.history.replaceState) { window.history.replaceState(null, "", reply.edit_url); }
  }

  function autosave() {
    if (busy) { timer = window.setTimeout(autosave, 1000); return; }
    busy = true;
    var data = new FormData(form);
    window.fetch(form.getAttribute("data-autosave-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.redirected || type.indexOf("application/json") === -1) { throw new Error("not kept"); }
      return response.json();
    }).then(function (reply) {
      setToken(reply.csrf_token);
      if (reply.saved) {
        dirty = false;
        moved(reply);
      }
      if (reply.message) { say(reply.message); }
    }).catch(function () {
      say("Could not keep a copy automatically (you may have been signed out). " +
          "Your words are still here: save them, or copy them somewhere safe.");
    }).then(function () { busy = false; });
  }

  function changed() {
    dirty = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(autosave, AUTOSAVE_AFTER_MS);
  }

  form.addEventListener("input", changed);
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (!submitter || !submitter.hasAttribute("formtarget")) {
      dirty = false;
      window.clearTimeout(timer);
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
}());
