/* "/" focuses the search box, as on most documentation and paper sites. */
document.addEventListener('keydown', function (event) {
  if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
  var target = event.target;
  if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
  var box = document.getElementById('search-input') || document.getElementById('site-search-input');
  if (box) { event.preventDefault(); box.focus(); box.select(); }
});
