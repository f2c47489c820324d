/* "/" focuses the search box, as on most documentation and paper sites; the box says so only
 * where there is a keyboard to press it on (a fine pointer that hovers: not a touch screen). */
if (window.matchMedia && window.matchMedia('(hover: hover) and (pointer: fine)').matches) {
  document.querySelectorAll('input[data-key-hint]').forEach(function (box) {
    box.placeholder += box.getAttribute('data-key-hint');
  });
}
document.addEventListener('keydown', function (event) {
  if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
  var target = event.target;  // only where nothing has focus: "/" on a link or a button is the browser's (find)
  if (target && target !== document.body && target !== document.documentElement) return;
  var box = document.getElementById('search-input') || document.getElementById('site-search-input');
  if (box) { event.preventDefault(); box.focus(); box.select(); }
});

/* A Copy button for the BibTeX block, shown only where the clipboard can be written. */
document.querySelectorAll('button[data-copy]').forEach(function (button) {
  if (!navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener('click', function () {
    var source = document.getElementById(button.getAttribute('data-copy'));
    var status = document.getElementById(button.getAttribute('data-copy') + '-status');  // read out by screen readers
    function say(text) { if (status) { status.textContent = text; setTimeout(function () { status.textContent = ''; }, 4000); } }
    navigator.clipboard.writeText(source.textContent).then(function () {
      button.textContent = 'Copied';
      say('BibTeX copied to the clipboard.');
      setTimeout(function () { button.textContent = 'Copy'; }, 1500);
    }, function () { say('Could not copy: select the text above and copy it.'); });
  });
});
