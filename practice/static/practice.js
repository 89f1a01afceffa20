/* Practice's one script. It only enhances pages that work without it:
   the reflection form saves itself while the client writes, as do a practitioner's note,
   feedback and addendum forms (their drafts), and nothing typed is lost when the connection
   drops or the session ends; the note form switches format in place.
   No inline script, no third party. */
(function () {
  "use strict";

  // A few seconds after typing stops; the browser tests may shorten it.
  var AUTOSAVE_DELAY_MS = Number(window.practiceAutosaveDelayMs) || 3000;

  function browserStorage() {
    try {
      var store = window.localStorage;
      store.getItem("practice-probe");
      return store;
    } catch (error) {
      return null; // private mode or storage switched off: autosave still works
    }
  }

  var store = browserStorage();
  var flushers = []; // one per autosaving form: saves now, resolves true once the server has all

  function read(key) {
    if (!store) { return null; }
    try { return JSON.parse(store.getItem(key) || "null"); } catch (error) { return null; }
  }

  function write(key, value) {
    if (!store) { return; }
    try { store.setItem(key, JSON.stringify(value)); } catch (error) { /* storage full */ }
  }

  function forget(key) {
    if (store) { store.removeItem(key); }
  }

  // Pages listing submitted reflections name their keys: text kept for them is done with.
  function forgetSubmitted() {
    var marks = document.querySelectorAll("[data-forget-draft]");
    for (var i = 0; i < marks.length; i += 1) {
      forget(marks[i].getAttribute("data-forget-draft"));
    }
  }

  function enhanceReflection(form) {
    var key = form.getAttribute("data-draft-key");
    var status = form.querySelector("[data-autosave-status]");
    var loginUrl = form.getAttribute("data-login-url");
    var author = form.getAttribute("data-author") || "";
    var serverSaved = Number(form.getAttribute("data-saved-at")) || 0;
    // A client's draft is saved; a practitioner's is kept until they save the work itself
    // (their form says so, "{time}" standing for the time).
    var savedWords = form.getAttribute("data-saved-words") || "Saved ";
    var changes = 0;       // edits made on this page
    var savedChanges = 0;  // edits the server has
    var timer = null;
    var saving = false;
    var submitting = false;
    var leaving = false;
    var inflight = null;
    var prefix = "";

    // Several checkboxes of one name ("who attended") are a list of the values checked.
    function isList(el) {
      return el.type === "checkbox" && form.querySelectorAll(
        'input[type="checkbox"][name="' + el.name + '"]').length > 1;
    }

    function typedFields() {
      var data = {};
      for (var i = 0; i < form.elements.length; i += 1) {
        var el = form.elements[i];
        // A password is never kept, on this device or anywhere.
        if (!el.name || el.name === "csrf_token" ||
            /^(submit|button|hidden|password)$/.test(el.type)) {
          continue;
        }
        if (el.type === "radio") {
          if (el.checked) { data[el.name] = el.value; } else if (!(el.name in data)) { data[el.name] = ""; }
        } else if (isList(el)) {
          data[el.name] = data[el.name] || [];
          if (el.checked) { data[el.name].push(el.value); }
        } else if (el.type === "checkbox") {
          data[el.name] = el.checked;
        } else {
          data[el.name] = el.value;
        }
      }
      return data;
    }

    function fill(data) {
      for (var i = 0; i < form.elements.length; i += 1) {
        var el = form.elements[i];
        if (!el.name || !Object.prototype.hasOwnProperty.call(data, el.name)) { continue; }
        if (el.type === "radio") {
          el.checked = el.value === data[el.name];
        } else if (Array.isArray(data[el.name])) {
          el.checked = data[el.name].indexOf(el.value) >= 0;
        } else if (el.type === "checkbox") {
          el.checked = Boolean(data[el.name]);
        } else if (!/^(submit|button|hidden)$/.test(el.type)) {
          el.value = data[el.name];
        }
      }
    }

    // Restoring: the form may grow fields on the way (the note's sections of another
    // format), so fill, let it grow, and fill what has appeared.
    function restore(data) {
      fill(data);
      form.dispatchEvent(new CustomEvent("practice:filled"));
      fill(data);
    }

    function sameAsForm(data) {
      var now = typedFields();
      return Object.keys(data).every(function (name) {
        return JSON.stringify(now[name]) === JSON.stringify(data[name]);
      });
    }

    function unsaved() { return changes !== savedChanges; }

    function keep() {
      write(key, { fields: typedFields(), typed: Date.now(), base: serverSaved });
    }

    function say(text, link, attention) {
      if (!status) { return; }
      status.classList.toggle("attention", Boolean(attention));
      status.textContent = prefix + text;
      if (link) {
        // "...; sign in again and ...": the middle words become the link.
        var parts = status.textContent.split(link.words);
        if (parts.length === 2) {
          var a = document.createElement("a");
          a.href = link.href;
          a.textContent = link.words;
          // The text is kept on this device, so following this link loses nothing.
          a.addEventListener("click", function () { leaving = true; });
          status.textContent = parts[0];
          status.appendChild(a);
          status.appendChild(document.createTextNode(parts[1]));
        }
      }
    }

    function schedule(delay) {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, delay === undefined ? AUTOSAVE_DELAY_MS : delay);
    }

    function kept(reason) {
      keep();
      say(reason + " What you typed is kept on this device and will be saved when the " +
        "connection is back.", null, true);
    }

    function handle(response, upTo, retried) {
      if (response.type === "opaqueredirect" || response.status === 401) {
        keep();
        return response.json().catch(function () { return {}; }).then(function (body) {
          say(body.message || "Your session ended; sign in again and your text will be here.",
            { words: "sign in again", href: body.login || loginUrl }, true);
        });
      }
      if (response.status >= 500) {
        kept("Not saved yet: the server cannot be reached.");
        return null;
      }
      return response.json().then(function (body) {
        if (response.ok) {
          savedChanges = upTo;
          serverSaved = body.savedAt || serverSaved;
          if (unsaved()) { keep(); } else { forget(key); }
          say(savedWords.indexOf("{time}") >= 0 ? savedWords.replace("{time}", body.saved)
            : savedWords + body.saved);
          prefix = "";
          return null;
        }
        var errors = body.errors || {};
        if (errors.csrf_token && body.csrf_token && !retried) {
          // The form outlived its token: take the fresh one and try once more.
          form.elements.csrf_token.value = body.csrf_token;
          return send(upTo, true);
        }
        keep();
        var first = Object.keys(errors).map(function (name) { return errors[name][0]; })
          .filter(Boolean)[0];
        say("Not saved: " + (first || "please check the form.") +
          " Your text is kept on this device.", null, true);
        return null;
      });
    }

    function send(upTo, retried) {
      var body = new URLSearchParams(new FormData(form));
      body.set("action", "save");
      // Not form.action: the buttons named "action" shadow that property.
      return window.fetch(form.getAttribute("action") || window.location.href, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        redirect: "manual",
        headers: {
          "X-Requested-With": "fetch",
          "X-Practice-Author": author,
          "Accept": "application/json"
        }
      }).then(function (response) { return handle(response, upTo, retried); });
    }

    function save() {
      window.clearTimeout(timer);
      if (saving) { return inflight; }
      if (submitting || !unsaved()) { return Promise.resolve(); }
      saving = true;
      var upTo = changes;
      inflight = send(upTo, false).catch(function (error) {
        if (window.console) { window.console.warn("Practice autosave:", error); }
        kept("Not saved yet: you seem to be offline.");
      }).then(function () {
        saving = false;
        if (changes !== upTo && !submitting) { schedule(); }
      });
      return inflight;
    }

    // Before signing out: save now, and once more for words typed during a save in flight.
    flushers.push(function () {
      return save().then(function () { return unsaved() ? save() : null; })
        .then(function () { return !unsaved(); });
    });

    function edited() {
      changes += 1;
      keep();
      schedule();
    }

    form.addEventListener("input", edited);
    form.addEventListener("change", function (event) {
      if (event.target.type === "radio" || event.target.type === "checkbox") { edited(); }
    });
    form.addEventListener("submit", function () {
      // The ordinary post takes over; the kept copy stays until the server has the text.
      submitting = true;
      window.clearTimeout(timer);
    });
    window.addEventListener("online", function () { if (unsaved()) { save(); } });
    window.addEventListener("beforeunload", function (event) {
      if (unsaved() && !submitting && !leaving) {
        event.preventDefault();
        event.returnValue = "";
      }
    });

    var entry = read(key);
    if (entry && entry.fields) {
      if (sameAsForm(entry.fields)) {
        forget(key);
      } else if (!serverSaved || entry.typed > serverSaved || entry.base >= serverSaved) {
        restore(entry.fields);
        changes += 1;
        prefix = "Restored what you typed on this device. ";
        say("");
        schedule(0);
      } else {
        forget(key); // the server holds a newer version, saved after this copy
      }
    }
  }

  // Signing out on a shared device: save what is pending, then clear this person's copies,
  // unless some text could not be saved (offline): then it stays, to be saved next time.
  function signOutSafely(form) {
    var prefix = form.getAttribute("data-sign-out");
    var started = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (started) { return; }
      started = true;
      var patience = new Promise(function (resolve) {
        window.setTimeout(function () { resolve([false]); }, 8000);
      });
      var saves = Promise.all(flushers.map(function (flush) { return flush(); }));
      Promise.race([saves, patience]).then(function (results) {
        if (!store || !prefix || !results.every(Boolean)) { return; }
        for (var i = store.length - 1; i >= 0; i -= 1) {
          var name = store.key(i);
          if (name && name.indexOf(prefix) === 0) { store.removeItem(name); }
        }
      }).catch(function () { /* keep everything */ }).then(function () { form.submit(); });
    });
  }

  // The note form's format: choosing one shows its sections at once (the "Use this format"
  // button is for pages without this script); text in a section the new format lacks moves
  // into its first section under its old heading, as the server does, so none is lost.
  function switchFormats(form) {
    var select = form.querySelector("select[data-formats]");
    var box = form.querySelector("[data-sections]");
    if (!select || !box) { return; }
    var formats = JSON.parse(select.getAttribute("data-formats"));
    var button = form.querySelector("[data-format-button]");
    if (button) { button.hidden = true; }

    function section(key) { return box.querySelector('[data-section="' + key + '"]'); }

    // A section the page does not have yet: a blank copy of one it has, renamed.
    function newSection(key, heading) {
      var div = box.querySelector("[data-section]").cloneNode(true);
      var field = div.querySelector(".field");
      var text = div.querySelector("textarea");
      var label = div.querySelector("label");
      var extras = div.querySelectorAll(".error, .hint");
      for (var i = 0; i < extras.length; i += 1) { extras[i].remove(); }
      if (field) { field.classList.remove("has-error"); }
      div.setAttribute("data-section", key);
      text.name = key;
      text.id = key;
      text.value = "";
      text.removeAttribute("aria-describedby");
      text.removeAttribute("aria-invalid");
      label.htmlFor = key;
      label.textContent = heading;
      return div;
    }

    function apply() {
      var chosen = formats[select.value];
      if (!chosen) { return; }
      var keep = {};
      chosen.forEach(function (pair) { keep[pair[0]] = true; });
      var moved = [];
      chosen.forEach(function (pair) {
        box.appendChild(section(pair[0]) || newSection(pair[0], pair[1])); // in order
      });
      var all = box.querySelectorAll("[data-section]");
      for (var i = 0; i < all.length; i += 1) {
        var key = all[i].getAttribute("data-section");
        if (Object.prototype.hasOwnProperty.call(keep, key)) { continue; }
        var text = all[i].querySelector("textarea").value.trim();
        if (text) { moved.push(key.charAt(0).toUpperCase() + key.slice(1) + ": " + text); }
        all[i].remove();
      }
      if (moved.length) {
        var first = section(chosen[0][0]).querySelector("textarea");
        first.value = [first.value.trim()].concat(moved).filter(Boolean).join("\n\n");
        form.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }

    select.addEventListener("change", apply);
    form.addEventListener("practice:filled", apply);
  }

  forgetSubmitted();
  var signOuts = document.querySelectorAll("form[data-sign-out]");
  for (var j = 0; j < signOuts.length; j += 1) {
    signOutSafely(signOuts[j]);
  }
  var switchers = document.querySelectorAll("form [data-sections]");
  for (var k = 0; k < switchers.length; k += 1) {
    switchFormats(switchers[k].form || switchers[k].closest("form"));
  }
  var forms = document.querySelectorAll("form[data-draft-key]");
  for (var i = 0; i < forms.length; i += 1) {
    enhanceReflection(forms[i]);
  }
}());
