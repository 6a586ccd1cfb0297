/* Meridian readers' forms: progressive enhancement only; every form works without it.
   1. A signed "form opened" stamp, fetched when the reader first touches a form
      (the page itself is cached, so it cannot carry one; see engagement/guard.py).
   2. Likes counted in place.
   3. A "Copy link" button, shown only where the browser can copy. */
(function () {
  "use strict";

  document.querySelectorAll("form[data-stamp]").forEach(function (form) {
    var field = form.querySelector('input[name="stamp"]');
    if (!field) { return; }
    var asked = false;
    function ask() {
      if (asked || field.value) { return; }
      asked = true;
      fetch(form.getAttribute("data-stamp"), { credentials: "omit", cache: "no-store" })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (value) { if (value && !field.value) { field.value = value.trim(); } })
        .catch(function () { asked = false; });
    }
    form.addEventListener("focusin", ask);
    form.addEventListener("pointerdown", ask);
  });

  document.querySelectorAll("form[data-like]").forEach(function (form) {
    var count = form.querySelector("[data-like-count]");
    var status = form.querySelector("[data-like-status]");
    var button = form.querySelector("button");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        headers: { Accept: "application/json" },
        credentials: "same-origin"
      })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          count.textContent = data.count + (data.count === 1 ? " like" : " likes");
          status.textContent = data.message;
          if (data.outcome !== "limited") { form.classList.add("liked"); }
          button.disabled = false;
        })
        .catch(function () { form.submit(); });
    });
  });

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) { return; }
    var status = button.parentNode.querySelector(".copy-status");
    var url = button.getAttribute("data-copy");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(url).then(
        function () { status.textContent = "Link copied."; },
        function () { status.textContent = "Could not copy. The address is " + url; }
      );
    });
  });
}());
