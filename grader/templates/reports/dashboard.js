document.getElementById('filter').addEventListener('input', function (event) {
  var needle = event.target.value.toLowerCase();
  document.querySelectorAll('#students tbody tr').forEach(function (row) {
    row.hidden = needle !== '' && row.textContent.toLowerCase().indexOf(needle) < 0;
  });
});
