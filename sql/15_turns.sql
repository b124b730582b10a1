-- turns: each interaction with the turn it is judged on: the user's prompt (the message
-- before the last), the assistant's answer (the last message) and the conversation before
-- the prompt (input_messages); chat_hash tells two conversations under one id apart.
-- View: true
-- Inputs:     interactions.
-- Parameters: none.
-- A view, not a table: scored reads only the prompt and answer of every row, and golden
-- and fewshot read the text of the rows they publish, so the chats are never copied into
-- a stage's table.
SELECT i.interaction_id, i.session_id, i.tenant_id, i.user_hash, i.ts, i.task, i.model,
       i.prompt_version, i._source, i._line, i._pii_drop,
       array_length(i.messages) AS message_count,
       get_field(array_element(i.messages, -1), 'role')    AS answer_role,
       get_field(array_element(i.messages, -1), 'content') AS answer,
       get_field(array_element(i.messages, -2), 'role')    AS prompt_role,
       get_field(array_element(i.messages, -2), 'content') AS prompt,
       array_slice(i.messages, 1, -2)                      AS input_messages,
       fw_chat_hash(i.messages)                            AS chat_hash
FROM interactions i
