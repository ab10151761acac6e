/**
 * The environment rules of deployed apps, shared by the gateway (edge validation), the applications
 * service (owner of the data) and the provisioner (writer of the container's `.env`).
 */
export {};
