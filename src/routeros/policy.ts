/** Every policy a tikops job might need (reboot, user management, backups, file transfer): the agent's, its scheduler entries' and the rollback entries'. */
export const ROUTER_POLICY = 'ftp,reboot,read,write,policy,test,password,sniff,sensitive,romon';
