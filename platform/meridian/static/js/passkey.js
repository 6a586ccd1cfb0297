/* Passkeys (WebAuthn) on Meridian's sign-in and account pages. Written for Meridian;
   same licence as the project. No inline script, so it runs under the strict CSP.

   A form with data-passkey="create" or "get" and data-options="URL": on submit, POST the
   form's CSRF token to URL for the ceremony's options (JSON), run the ceremony, put the
   device's answer (JSON) in the form's `credential` field and submit the form. */
(function () {
  "use strict";
  var PKC = window.PublicKeyCredential;
  var supported = !!(PKC && PKC.parseCreationOptionsFromJSON && PKC.parseRequestOptionsFromJSON);

  function say(form, message) {
    var status = form.querySelector(".passkey-status");
    if (status) {
      status.textContent = message;
      status.hidden = false;
    }
  }

  async function ceremony(form) {
    var body = new FormData();
    body.append("csrf_token", form.elements.csrf_token.value);
    var response = await fetch(form.dataset.options, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    });
    var options = await response.json();
    if (!response.ok) {
      throw new Error(options.error || "Please reload the page and try again.");
    }
    var credential = form.dataset.passkey === "create"
      ? await navigator.credentials.create({ publicKey: PKC.parseCreationOptionsFromJSON(options) })
      : await navigator.credentials.get({ publicKey: PKC.parseRequestOptionsFromJSON(options) });
    form.elements.credential.value = JSON.stringify(credential.toJSON());
    form.submit();
  }

  document.querySelectorAll("form[data-passkey]").forEach(function (form) {
    if (!supported) {
      say(form, "This browser cannot use passkeys. Please use another way.");
      return;
    }
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      var name = form.elements.name;
      if (name && !name.value.trim()) {
        return; // let the server say, next to the field, that a name is needed
      }
      event.preventDefault();
      ceremony(form).catch(function (error) {
        say(form, error && error.name === "NotAllowedError"
          ? "The passkey request was cancelled or timed out. Please try again."
          : (error && error.message) || "Something went wrong. Please try again.");
      });
    });
  });
})();
