// Front-desk shortcuts (when not typing in a field): c = log a contact, a = mailing address,
// p = phones and e-mails, b = add bill-to, o/l/n/h = account tabs. After htmx swaps the contact
// panel, focus goes to the first field with an error, or back to the summary for the next note.
(function () {
  "use strict";
  function isTyping(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(document.activeElement)) return;
    if (event.key === "c") {
      var summary = document.querySelector("#contact-log textarea");
      if (summary) { event.preventDefault(); summary.focus(); }
      return;
    }
    var target = document.querySelector('[data-shortcut="' + event.key + '"]');
    if (target && event.key.length === 1) {
      event.preventDefault();
      target.click();
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var panel = event.detail && event.detail.target;
    if (!panel || panel.id !== "contact-log") return;
    var fresh = document.getElementById("contact-log");
    var invalid = fresh && fresh.querySelector(".field-error input, .field-error select, .field-error textarea");
    var next = invalid || (fresh && fresh.querySelector("textarea"));
    if (next) next.focus();
  });
  // The workspace's own result list: ArrowDown from its search box moves into the results.
  document.addEventListener("keydown", function (event) {
    var box = document.getElementById("workspace-results");
    var input = document.getElementById("workspace-q");
    if (!box || !input) return;
    var links = Array.prototype.slice.call(box.querySelectorAll("a"));
    var index = links.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && links.length && (document.activeElement === input || index >= 0)) {
      event.preventDefault();
      links[Math.min(index + 1, links.length - 1)].focus();
    } else if (event.key === "ArrowUp" && index >= 0) {
      event.preventDefault();
      if (index === 0) input.focus(); else links[index - 1].focus();
    } else if (event.key === "Escape" && (index >= 0 || document.activeElement === input)) {
      box.innerHTML = "";
      input.focus();
    }
  });
})();
