/** Every policy a tikops job might need (reboot, user management, backups, file transfer): the agent's, its scheduler entries' and the rollback entries'. */
export const ROUTER_POLICY = 'ftp,reboot,read,write,policy,test,password,sniff,sensitive,romon';

/** The agent script's name (and its scheduler entry's). */
export const AGENT_NAME = 'tikops-poll';

/**
 * State every user's run must see (globals are per user, Scripting, help.mikrotik.com/docs/spaces/
 * ROS/pages/47579229, and an express trigger runs the agent as the REST user): the poll lock is the
 * comment of the `tikops-poll` script, the last job outcome the comment of its scheduler entry.
 * docs/express-execute.md, "Shared state".
 */
export const LOCK_STORE = `/system script`;
export const LAST_JOB_STORE = `/system scheduler`;
