// Keyboard navigation of the rating page: n next answer, p previous; Ctrl+Enter saves. Keys typed into a text field are left alone.
(function () {
    "use strict";
    document.addEventListener("keydown", function (event) {
        var target = event.target;
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
            var form = document.getElementById("rating-form");
            if (form) { event.preventDefault(); form.requestSubmit(); }
            return;
        }
        if (event.ctrlKey || event.metaKey || event.altKey ||
            (target instanceof HTMLElement && (target.tagName === "TEXTAREA" || (target.tagName === "INPUT" && target.type !== "radio")))) {
            return;
        }
        var link = event.key === "n" ? document.getElementById("next-answer") : event.key === "p" ? document.getElementById("previous-answer") : null;
        if (link) { event.preventDefault(); link.click(); }
    });
    var first = document.querySelector("#rating-form input[type=radio]:not(:disabled)");
    if (first && !document.querySelector("#rating-form input[type=radio]:checked")) { first.focus(); }
})();
