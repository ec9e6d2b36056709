// Generated from the endpoint table (src/endpoints/table.rs) by `cargo test`: do not edit.

/** Any JSON value: the payload of the endpoints whose answers the service does not document (SPEC.md §5). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Every endpoint of the service, by path (no leading slash). */
export type Endpoint =
  | "myip"
  | "bank/add"
  | "bank/update"
  | "bank/delete"
  | "bank/list"
  | "bank/search"
  | "paypal/search"
  | "ovo/search"
  | "gopay/search"
  | "ovo/transfer/bank-list"
  | "ovo/transfer/inquiry"
  | "ovo/transfer/send"
  | "ovo/transfer/detail"
  | "ovo/transfer-ovo/inquiry"
  | "ovo/transfer-ovo/send"
  | "whatsapp/send"
  | "balance"
  | "bank/balance"
  | "ovo/balance"
  | "gopay/balance"
  | "paypal/balance"
  | "ovo/list"
  | "gopay/list"
  | "paypal/list"
  | "bank/detail"
  | "ovo/detail"
  | "gopay/detail"
  | "paypal/detail"
  | "paypal/transaction/detail"
;

/** The parameters of each endpoint (for searches: the filters, sent under `search`). */
export interface EndpointParams {
  "myip": { };
  "bank/add": { service_code: "bni" | "bca" | "bri" | "mandiri_online" | "btpn_jenius"; package_code: "basic" | "professional" | "enterprise"; username: string; password: string; account_number: string; account_name: string; ipn_url?: string; status?: "ACTIVE" | "INACTIVE"; };
  "bank/update": { id: number; password?: string; account_number?: string; account_name?: string; ipn_url?: string; status?: "ACTIVE" | "INACTIVE"; };
  "bank/delete": { id: number; };
  "bank/list": { service_code?: "bri" | "bca" | "bni" | "mandiri" | "mandiri_online" | "btpn_jenius" | (string & {}); account_number?: string; };
  "bank/search": { /** `Y-m-d H:i:s` in the service's time zone, Asia/Jakarta (UTC+7): "2018-04-09 00:00:00" is 2018-04-08T17:00:00Z. A `Date` (or an ISO string with `Z` or an offset) is sent as the service's local time of that instant. Both ends inclusive. */ date?: { from?: string | Date; to?: string | Date }; amount?: string | number; type?: "credit" | "debit"; description?: string; service_code?: "bri" | "bca" | "bni" | "mandiri" | "mandiri_online" | "btpn_jenius" | (string & {}); account_number?: string; };
  "paypal/search": { /** `Y-m-d H:i:s` in the service's time zone, Asia/Jakarta (UTC+7): "2018-04-09 00:00:00" is 2018-04-08T17:00:00Z. A `Date` (or an ISO string with `Z` or an offset) is sent as the service's local time of that instant. Both ends inclusive. */ date?: { from?: string | Date; to?: string | Date }; username?: string; amount?: string | number; email?: string; transactionid?: string; currency?: string; };
  "ovo/search": { /** `Y-m-d H:i:s` in the service's time zone, Asia/Jakarta (UTC+7): "2018-04-09 00:00:00" is 2018-04-08T17:00:00Z. A `Date` (or an ISO string with `Z` or an offset) is sent as the service's local time of that instant. Both ends inclusive. */ date?: { from?: string | Date; to?: string | Date }; amount?: string | number; type?: "credit" | "debit"; description?: string; account_number?: string; };
  "gopay/search": { /** `Y-m-d H:i:s` in the service's time zone, Asia/Jakarta (UTC+7): "2018-04-09 00:00:00" is 2018-04-08T17:00:00Z. A `Date` (or an ISO string with `Z` or an offset) is sent as the service's local time of that instant. Both ends inclusive. */ date?: { from?: string | Date; to?: string | Date }; amount?: string | number; type?: "credit" | "debit"; description?: string; account_number?: string; partner_phone?: string; };
  "ovo/transfer/bank-list": { source_number: string; };
  "ovo/transfer/inquiry": { source_number: string; bank_code: string; destination_number: string; };
  "ovo/transfer/send": { uuid: string; token: string; amount: number; note?: string; };
  "ovo/transfer/detail": { uuid: string; };
  "ovo/transfer-ovo/inquiry": { source_number: string; phone: string; };
  "ovo/transfer-ovo/send": { source_number: string; phone: string; amount: number; };
  "whatsapp/send": { mutation_id: number; sender_phone: string; receiver_phone: string; tokens?: Record<string, string>; };
  "balance": { };
  "bank/balance": { };
  "ovo/balance": { };
  "gopay/balance": { };
  "paypal/balance": { };
  "ovo/list": { };
  "gopay/list": { };
  "paypal/list": { };
  "bank/detail": { id: number; };
  "ovo/detail": { id: number; };
  "gopay/detail": { id: number; };
  "paypal/detail": { id: number; };
  "paypal/transaction/detail": { username: string; transactionid: string; };
}

/** The payload each endpoint resolves to (money as decimal strings, whole rupiah as numbers). */
export interface EndpointResult {
  "myip": { ip?: { v4?: string; v6?: string; }; };
  "bank/add": { id: number; service_code?: string; service_name?: string; account_number?: string; account_name?: string; balance?: string; package?: string; ipn_url?: string; status?: string; };
  "bank/update": { id: number; service_code?: string; service_name?: string; account_number?: string; account_name?: string; balance?: string; package?: string; ipn_url?: string; status?: string; };
  "bank/delete": null;
  "bank/list": Array<{ id: number; service_code?: string; service_name?: string; account_number?: string; account_name?: string; balance?: string; package?: string; ipn_url?: string; status?: string; }>;
  "bank/search": Array<{ id: number; service_code?: string; account_number?: string; unix_timestamp: number; type: string; amount: string; description?: string; balance?: string; partner_phone?: string; }>;
  "paypal/search": Array<{ id: number; username?: string; unix_timestamp: number; type: string; email?: string; name?: string; transactionid?: string; status?: string; amount: string; fee?: string; net?: string; currency?: string; }>;
  "ovo/search": Array<{ id: number; service_code?: string; account_number?: string; unix_timestamp: number; type: string; amount: string; description?: string; balance?: string; partner_phone?: string; }>;
  "gopay/search": Array<{ id: number; service_code?: string; account_number?: string; unix_timestamp: number; type: string; amount: string; description?: string; balance?: string; partner_phone?: string; }>;
  "ovo/transfer/bank-list": Array<{ code: string | number; name: string; }>;
  "ovo/transfer/inquiry": { uuid: string; bank_code?: string | number; bank_name?: string; destination_number?: string; destination_name?: string; source_number?: string; expired_at?: string | number; token: string; };
  "ovo/transfer/send": { uuid: string; transaction_id?: string | number; source_number?: string; bank_code?: string; bank_name?: string; destination_number?: string; destination_name?: string; amount?: number; note?: string; status?: string; refference_id?: string | number; datetime?: string | number; timezone?: string; created_at?: string | number; expired_at?: string | number; };
  "ovo/transfer/detail": { uuid: string; transaction_id?: string | number; source_number?: string; bank_code?: string; bank_name?: string; destination_number?: string; destination_name?: string; amount?: number; note?: string; status?: string; refference_id?: string | number; datetime?: string | number; timezone?: string; created_at?: string | number; expired_at?: string | number; };
  "ovo/transfer-ovo/inquiry": { fullname?: string; phone?: string; };
  "ovo/transfer-ovo/send": { code?: string | number; message?: string; isOvo?: JsonValue; };
  "whatsapp/send": { sender?: string; receiver?: string; message?: string; status?: string | number; note?: string; };
  "balance": JsonValue;
  "bank/balance": JsonValue;
  "ovo/balance": JsonValue;
  "gopay/balance": JsonValue;
  "paypal/balance": JsonValue;
  "ovo/list": JsonValue;
  "gopay/list": JsonValue;
  "paypal/list": JsonValue;
  "bank/detail": JsonValue;
  "ovo/detail": JsonValue;
  "gopay/detail": JsonValue;
  "paypal/detail": JsonValue;
  "paypal/transaction/detail": JsonValue;
}

/** The client's method for each endpoint; each calls `request(path, params)`. */
export interface CekMutasiMethods {
  myIp(params?: EndpointParams["myip"]): Promise<EndpointResult["myip"]>;
  addBank(params: EndpointParams["bank/add"]): Promise<EndpointResult["bank/add"]>;
  updateBank(params: EndpointParams["bank/update"]): Promise<EndpointResult["bank/update"]>;
  deleteBank(params: EndpointParams["bank/delete"]): Promise<EndpointResult["bank/delete"]>;
  listBanks(params?: EndpointParams["bank/list"]): Promise<EndpointResult["bank/list"]>;
  searchBank(params?: EndpointParams["bank/search"]): Promise<EndpointResult["bank/search"]>;
  searchPaypal(params?: EndpointParams["paypal/search"]): Promise<EndpointResult["paypal/search"]>;
  searchOvo(params?: EndpointParams["ovo/search"]): Promise<EndpointResult["ovo/search"]>;
  searchGopay(params?: EndpointParams["gopay/search"]): Promise<EndpointResult["gopay/search"]>;
  ovoBankList(params: EndpointParams["ovo/transfer/bank-list"]): Promise<EndpointResult["ovo/transfer/bank-list"]>;
  ovoTransferInquiry(params: EndpointParams["ovo/transfer/inquiry"]): Promise<EndpointResult["ovo/transfer/inquiry"]>;
  ovoTransferSend(params: EndpointParams["ovo/transfer/send"]): Promise<EndpointResult["ovo/transfer/send"]>;
  ovoTransferDetail(params: EndpointParams["ovo/transfer/detail"]): Promise<EndpointResult["ovo/transfer/detail"]>;
  ovoToOvoInquiry(params: EndpointParams["ovo/transfer-ovo/inquiry"]): Promise<EndpointResult["ovo/transfer-ovo/inquiry"]>;
  ovoToOvoSend(params: EndpointParams["ovo/transfer-ovo/send"]): Promise<EndpointResult["ovo/transfer-ovo/send"]>;
  sendWhatsapp(params: EndpointParams["whatsapp/send"]): Promise<EndpointResult["whatsapp/send"]>;
  balance(params?: EndpointParams["balance"]): Promise<EndpointResult["balance"]>;
  bankBalance(params?: EndpointParams["bank/balance"]): Promise<EndpointResult["bank/balance"]>;
  ovoBalance(params?: EndpointParams["ovo/balance"]): Promise<EndpointResult["ovo/balance"]>;
  gopayBalance(params?: EndpointParams["gopay/balance"]): Promise<EndpointResult["gopay/balance"]>;
  paypalBalance(params?: EndpointParams["paypal/balance"]): Promise<EndpointResult["paypal/balance"]>;
  listOvo(params?: EndpointParams["ovo/list"]): Promise<EndpointResult["ovo/list"]>;
  listGopay(params?: EndpointParams["gopay/list"]): Promise<EndpointResult["gopay/list"]>;
  listPaypal(params?: EndpointParams["paypal/list"]): Promise<EndpointResult["paypal/list"]>;
  bankDetail(params: EndpointParams["bank/detail"]): Promise<EndpointResult["bank/detail"]>;
  ovoDetail(params: EndpointParams["ovo/detail"]): Promise<EndpointResult["ovo/detail"]>;
  gopayDetail(params: EndpointParams["gopay/detail"]): Promise<EndpointResult["gopay/detail"]>;
  paypalDetail(params: EndpointParams["paypal/detail"]): Promise<EndpointResult["paypal/detail"]>;
  paypalTransactionDetail(params: EndpointParams["paypal/transaction/detail"]): Promise<EndpointResult["paypal/transaction/detail"]>;
}
