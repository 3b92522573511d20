// Keyboard-first workspace: "/" focuses the search box from anywhere (unless typing),
// Escape clears the typeahead, arrow keys move through its results.
(function () {
  "use strict";
  function isTyping(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }
  document.addEventListener("keydown", function (event) {
    var search = document.getElementById("global-search");
    if (!search) return;
    if (event.key === "/" && !isTyping(document.activeElement)) {
      event.preventDefault();
      search.focus();
      search.select();
      return;
    }
    var box = document.getElementById("typeahead");
    if (!box) return;
    var links = Array.prototype.slice.call(box.querySelectorAll("a"));
    var index = links.indexOf(document.activeElement);
    if (event.key === "Escape" && (document.activeElement === search || index >= 0)) {
      box.innerHTML = "";
      search.focus();
    } else if (event.key === "ArrowDown" && links.length && (document.activeElement === search || index >= 0)) {
      event.preventDefault();
      links[Math.min(index + 1, links.length - 1)].focus();
    } else if (event.key === "ArrowUp" && index >= 0) {
      event.preventDefault();
      if (index === 0) search.focus(); else links[index - 1].focus();
    }
  });
})();
