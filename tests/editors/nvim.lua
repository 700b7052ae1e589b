-- A real client for `skuld lsp`: Neovim's built-in LSP client (Debian's neovim 0.7.2 and later;
-- only APIs 0.7 has: vim.lsp.start_client, buf_attach_client, buf_request_sync,
-- util.apply_workspace_edit, buf.formatting_sync). Run headless from the repository root:
--
--   cargo build --bin skuld
--   SKULD=target/debug/skuld nvim --headless -u NONE -i NONE -c 'luafile tests/editors/nvim.lua'
--
-- It opens a tenant file and a policy file in a fresh workspace and checks that the diagnostics
-- arrive on the right lines, that a completion in a flow list offers a SKU, that a quick fix
-- applies, and that formatting a `.skuld` file works. Exit status 0 when all hold, 1 otherwise.

local skuld = vim.fn.fnamemodify(os.getenv('SKULD') or 'target/debug/skuld', ':p')
local timeout = 20000

local function say(text)
  io.stdout:write(text .. '\n')
end

local function fail(text)
  io.stderr:write('FAIL: ' .. text .. '\n')
  vim.cmd('cquit 1')
end

local function check(cond, text)
  if not cond then
    fail(text)
  end
  say('ok: ' .. text)
end

local function write(path, lines)
  vim.fn.writefile(lines, path)
end

-- A workspace of its own: a repository root, a tenant, a policy file.
local root = vim.fn.tempname()
vim.fn.mkdir(root .. '/.git', 'p')
local tenant = root .. '/tenant.yaml'
write(tenant, {
  'tenant: contoso.onmicrosoft.com', -- line 0
  'users:', -- 1
  '  - upn: ana@contoso.com', -- 2
  '    usage_location: DE', -- 3
  '    licenses: [ENTERPRISEPAK]', -- 4: an unknown SKU (typo)
  '  - {upn: raj@contoso.com, licenses: [SPE_E3]}', -- 5: no usage location
})
local policy = root .. '/typo.skuld'
write(policy, { 'sku   ENTERPRISEPAK  "Typo plan" {  free  }' })

vim.cmd('filetype on')
local client_id = vim.lsp.start_client({
  name = 'skuld',
  cmd = { skuld, 'lsp' },
  root_dir = root,
  on_exit = function(code)
    if code ~= 0 then
      io.stderr:write('skuld lsp exited with ' .. code .. '\n')
    end
  end,
})
check(client_id ~= nil, 'skuld lsp started')

vim.cmd('edit ' .. vim.fn.fnameescape(tenant))
local tbuf = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(tbuf, client_id)

-- Diagnostics, on the lines `skuld check` gives.
local function code_of(d)
  return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
end
vim.wait(timeout, function()
  return #vim.diagnostic.get(tbuf) >= 2
end, 50)
local lines = {}
for _, d in ipairs(vim.diagnostic.get(tbuf)) do
  lines[code_of(d)] = d.lnum
end
check(lines['tenant/unknown-sku'] == 4, 'tenant/unknown-sku on line 5')
check(lines['licensing/usage-location'] == 5, 'licensing/usage-location on line 6')

-- The quick fix of the typo: the did-you-mean replacement, applied to the buffer.
local client = vim.lsp.get_client_by_id(client_id)
local uri = vim.uri_from_bufnr(tbuf)
local typo
for _, d in ipairs(vim.diagnostic.get(tbuf)) do
  if code_of(d) == 'tenant/unknown-sku' then
    typo = d
  end
end
local actions = vim.lsp.buf_request_sync(tbuf, 'textDocument/codeAction', {
  textDocument = { uri = uri },
  range = {
    start = { line = typo.lnum, character = typo.col },
    ['end'] = { line = typo.end_lnum, character = typo.end_col },
  },
  context = { diagnostics = {} },
}, timeout)
local fix
for _, r in pairs(actions or {}) do
  for _, a in ipairs(r.result or {}) do
    if a.isPreferred then
      fix = a
    end
  end
end
check(fix ~= nil, 'a preferred quick fix is offered: ' .. (fix and fix.title or 'none'))
vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding or 'utf-16')
check(
  vim.api.nvim_buf_get_lines(tbuf, 4, 5, false)[1] == '    licenses: [ENTERPRISEPACK]',
  'the quick fix applied'
)
vim.wait(timeout, function()
  for _, d in ipairs(vim.diagnostic.get(tbuf)) do
    if code_of(d) == 'tenant/unknown-sku' then
      return false
    end
  end
  return true
end, 50)
local still = false
for _, d in ipairs(vim.diagnostic.get(tbuf)) do
  still = still or code_of(d) == 'tenant/unknown-sku'
end
check(not still, 'the fixed line has no diagnostic after the change')

-- Completion in a flow list being typed.
local typed = '  - {upn: li@contoso.com, usage_location: DE, licenses: ['
vim.api.nvim_buf_set_lines(tbuf, 6, 6, false, { typed })
local result = vim.lsp.buf_request_sync(tbuf, 'textDocument/completion', {
  textDocument = { uri = uri },
  position = { line = 6, character = #typed },
}, timeout)
local labels = {}
for _, r in pairs(result or {}) do
  local items = r.result and (r.result.items or r.result) or {}
  for _, item in ipairs(items) do
    labels[item.label] = true
  end
end
check(labels['SPE_E3'] == true, 'completion in a flow list offers SPE_E3')

-- Formatting a policy file: `skuld fmt`'s layout.
vim.cmd('edit ' .. vim.fn.fnameescape(policy))
local pbuf = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(pbuf, client_id)
vim.lsp.buf.formatting_sync(nil, timeout)
local formatted = vim.api.nvim_buf_get_lines(pbuf, 0, -1, false)
check(formatted[1] == 'sku ENTERPRISEPAK "Typo plan" {', 'formatting: ' .. (formatted[1] or ''))

vim.lsp.stop_client(client_id)
say('all editor checks passed')
vim.cmd('qall!')
