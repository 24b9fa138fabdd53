// kube-apiserver's --token-auth-file: a CSV of static bearer tokens, one per line,
// `token,user,uid[,"group1,group2"]`; lines starting with # are comments.
import { readFile } from 'node:fs/promises';
import { allAuthenticated, type UserInfo } from '../api/authorization.ts';
import type { TokenAuthenticator } from './authenticate.ts';

/** Splits one CSV record, honouring double quotes ("" inside quotes is a quote). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { fields.push(field); field = ''; }
    else field += ch;
  }
  fields.push(field);
  return fields.map((f) => f.trim());
}

export function parseTokenFile(text: string, file = 'token file'): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const [token, username, uid, groups] = csvFields(line);
    // As kube: at least token, user and uid, and no token twice.
    if (!token || !username || uid === undefined) throw new Error(`${file}, line ${i + 1}: expected at least 3 fields: token,user,uid`);
    if (tokens.has(token)) throw new Error(`${file}, line ${i + 1}: duplicate token`);
    const groupList = groups ? groups.split(',').map((g) => g.trim()).filter(Boolean) : [];
    tokens.set(token, { username, uid, groups: groupList });
  });
  return tokens;
}

export async function tokenFileAuthenticator(path: string): Promise<TokenAuthenticator> {
  const tokens = parseTokenFile(await readFile(path, 'utf8'), path);
  return {
    async authenticateToken(token) {
      const user = tokens.get(token);
      return user && { ...user, groups: [...user.groups, allAuthenticated] };
    },
  };
}
