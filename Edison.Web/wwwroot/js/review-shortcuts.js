// Keyboard shortcuts of the suggestion review page: a approve, e edit then approve, r reject note, c request-changes note.
// Ctrl+Enter (or Cmd+Enter) in a note sends its form. Keys typed into a field are never taken as shortcuts.
(function () {
    "use strict";

    function isTyping(target) {
        return target instanceof HTMLElement &&
            (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].indexOf(target.tagName) >= 0);
    }

    document.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target instanceof HTMLTextAreaElement && event.target.form) {
            event.preventDefault();
            event.target.form.requestSubmit();
            return;
        }
        if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) {
            return;
        }
        var key = event.key.toLowerCase();
        if (key === "a") {
            var approve = document.getElementById("approve-button");
            if (approve) { event.preventDefault(); approve.click(); }
        } else if (key === "e") {
            var details = document.getElementById("edit-details");
            var editor = document.getElementById("edit-template");
            if (details && editor) { event.preventDefault(); details.open = true; editor.focus(); }
        } else if (key === "r" || key === "c") {
            var note = document.querySelector("textarea[data-shortcut='" + key + "']");
            if (note) { event.preventDefault(); note.focus(); note.scrollIntoView({ block: "center" }); }
        }
    });
})();
