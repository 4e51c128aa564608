// Copy a clause's citation: the async clipboard where allowed (https, localhost), else a hidden textarea.
(function () {
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }
  function show(button, message) {
    var status = button.parentNode.querySelector(".copy-status");
    if (!status) return;
    status.textContent = message;
    setTimeout(function () { status.textContent = ""; }, 3000);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.copy-cite");
    if (!button) return;
    var text = button.getAttribute("data-citation");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { show(button, "已复制"); },
        function () { show(button, fallbackCopy(text) ? "已复制" : "复制失败，请手动选择"); });
    } else {
      show(button, fallbackCopy(text) ? "已复制" : "复制失败，请手动选择");
    }
  });
})();
